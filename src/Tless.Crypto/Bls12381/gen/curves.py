# Generates G1.Core.cs and G2.Core.cs from Curve.template.cs.txt: python3 gen/curves.py (run in Bls12381/).
import os
here = os.path.dirname(os.path.abspath(__file__))
t = open(os.path.join(here, 'Curve.template.cs.txt')).read()
for tp, tf in (('G1', 'Fp'), ('G2', 'Fp2')):
    s = t.replace('TPFixedBase', tp + 'FixedBase').replace('TP', tp).replace('TF', tf)
    open(os.path.join(here, '..', tp + '.Core.cs'), 'w').write(s)
