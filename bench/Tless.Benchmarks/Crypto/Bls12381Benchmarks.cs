using BenchmarkDotNet.Attributes;
using Tless.Crypto.Bls12381;

namespace Tless.Benchmarks.Crypto;

/// <summary>BLS12-381 pairing-side primitives (compare with <c>tless bench crypto</c>).</summary>
[MemoryDiagnoser]
public class PairingBenchmarks
{
    private G1 _p;
    private G2 _q;
    private MillerLoopResult _m;
    private G2Prepared _prepared = null!;
    private G1[] _ps = [];
    private G2[] _qs = [];

    [GlobalSetup]
    public void Setup()
    {
        _p = G1.Generator * Scalar.Random();
        _q = G2.Generator * Scalar.Random();
        _m = Pairing.MillerLoop(_p, _q);
        _prepared = new G2Prepared(_q);
        _ps = [.. Enumerable.Range(0, 4).Select(_ => G1.Generator * Scalar.Random())];
        _qs = [.. Enumerable.Range(0, 4).Select(_ => G2.Generator * Scalar.Random())];
    }

    [Benchmark]
    public Gt Pair() => Pairing.Pair(_p, _q);

    [Benchmark]
    public Gt PairPrepared() => Pairing.Pair(_p, _prepared);

    [Benchmark]
    public MillerLoopResult MillerLoop() => Pairing.MillerLoop(_p, _q);

    [Benchmark]
    public Gt FinalExponentiation() => Pairing.FinalExponentiation(_m);

    [Benchmark]
    public Gt MultiPair4() => Pairing.MultiPair(_ps, _qs);
}

/// <summary>Group operations: constant-time and variable-time multiplication, fixed base, MSM, GT exponentiation.</summary>
[MemoryDiagnoser]
public class GroupBenchmarks
{
    private G1 _g1;
    private G2 _g2;
    private Scalar _k;
    private Gt _gt;
    private G1FixedBase _fixed1 = null!;
    private G2FixedBase _fixed2 = null!;
    private G1[] _points = [];
    private Scalar[] _scalars = [];

    [GlobalSetup]
    public void Setup()
    {
        _g1 = G1.Generator * Scalar.Random();
        _g2 = G2.Generator * Scalar.Random();
        _k = Scalar.Random();
        _gt = Gt.Generator.Pow(Scalar.Random());
        _fixed1 = new G1FixedBase(G1.Generator);
        _fixed2 = new G2FixedBase(G2.Generator);
        _points = [.. Enumerable.Range(0, 64).Select(_ => G1.Generator * Scalar.Random())];
        _scalars = [.. Enumerable.Range(0, 64).Select(_ => Scalar.Random())];
    }

    [Benchmark]
    public G1 G1Mul() => _g1 * _k;

    [Benchmark]
    public G1 G1MulVartime() => _g1.MultiplyVartime(_k);

    [Benchmark]
    public G1 G1FixedBaseMul() => _fixed1.Multiply(_k);

    [Benchmark]
    public G2 G2Mul() => _g2 * _k;

    [Benchmark]
    public G2 G2FixedBaseMul() => _fixed2.Multiply(_k);

    [Benchmark]
    public G1 G1Msm64() => G1.MultiScalarMultiply(_points, _scalars);

    [Benchmark]
    public Gt GtPow() => _gt.Pow(_k);

    [Benchmark]
    public Scalar ScalarInvert() => _k.Invert();
}

/// <summary>Hashing to the curve and validated decoding.</summary>
[MemoryDiagnoser]
public class HashAndEncodingBenchmarks
{
    private static readonly byte[] Dst = "TLESS-BENCH-V01-CS01"u8.ToArray();
    private readonly byte[] _msg = new byte[32];
    private byte[] _g1Compressed = [];
    private byte[] _g2Compressed = [];

    [GlobalSetup]
    public void Setup()
    {
        _g1Compressed = (G1.Generator * Scalar.Random()).ToCompressed();
        _g2Compressed = (G2.Generator * Scalar.Random()).ToCompressed();
    }

    [Benchmark]
    public G1 HashToG1() => G1.HashToCurve(_msg, Dst);

    [Benchmark]
    public G2 HashToG2() => G2.HashToCurve(_msg, Dst);

    [Benchmark]
    public G1 G1Decompress() => G1.FromCompressed(_g1Compressed);

    [Benchmark]
    public G2 G2Decompress() => G2.FromCompressed(_g2Compressed);
}
