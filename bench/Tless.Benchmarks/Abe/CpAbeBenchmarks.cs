using BenchmarkDotNet.Attributes;
using Tless.Crypto.Abe;

namespace Tless.Benchmarks.Abe;

/// <summary>
/// CP-ABE over n authorities with the policy AND/OR_i (as_i.wf:W &amp; as_i.node:N); run with
/// <c>dotnet run -c Release --project bench/Tless.Benchmarks -- --filter '*CpAbe*'</c>.
/// </summary>
[MemoryDiagnoser]
public class CpAbeBenchmarks
{
    private AuthorityMasterKey[] _msks = [];
    private AuthorityPublicKey[] _pks = [];
    private List<UserKeyPart> _keys = [];
    private Policy _policy = null!;
    private AbeCiphertext _ct = null!;

    [Params(1, 4, 16)]
    public int Authorities { get; set; }

    [Params("and", "or")]
    public string Shape { get; set; } = "and";

    [GlobalSetup]
    public void Setup()
    {
        _msks = [.. Enumerable.Range(1, Authorities).Select(i => AuthorityMasterKey.Generate($"as{i}"))];
        _pks = [.. _msks.Select(m => m.PublicKey)];
        var clauses = _msks.Select(m => Policy.And(Policy.Attribute(m.AuthorityId, "wf", "W"), Policy.Attribute(m.AuthorityId, "node", "N")));
        _policy = Shape == "and" ? Policy.And(clauses) : Policy.Or(clauses);
        _keys = [.. _msks.Select(m => CpAbe.KeyGen(m, "gid", [$"{m.AuthorityId}.wf:W", $"{m.AuthorityId}.node:N", $"{m.AuthorityId}.anc:P"]))];
        _ct = CpAbe.Encapsulate(_pks, _policy, out _);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var k in _keys)
        {
            k.Dispose();
        }

        foreach (var m in _msks)
        {
            m.Dispose();
        }
    }

    [Benchmark]
    public AbeCiphertext Encapsulate() => CpAbe.Encapsulate(_pks, _policy, out _);

    [Benchmark]
    public bool Decapsulate() => CpAbe.TryDecapsulate(_keys, _ct, out _);

    [Benchmark]
    public UserKeyPart KeyGenThreeAttributes() =>
        CpAbe.KeyGen(_msks[0], "gid-2", ["as1.wf:W", "as1.node:N", "as1.anc:P"]);
}

/// <summary>Policy parsing and LSSS construction (no group arithmetic).</summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private const string Text = "as1.wf:W & as1.node:N & (as1.anc:A | as1.anc:B) | as2.wf:W & as2.node:N & (as2.anc:A | as2.anc:B)";
    private static readonly HashSet<string> Held = ["as2.wf:W", "as2.node:N", "as2.anc:B"];
    private readonly LsssMatrix _matrix = LsssMatrix.FromPolicy(Policy.Parse(Text));

    [Benchmark]
    public Policy Parse() => Policy.Parse(Text);

    [Benchmark]
    public LsssMatrix BuildMatrix() => LsssMatrix.FromPolicy(_matrix.Policy);

    [Benchmark]
    public bool CheapestRows() => _matrix.TryFindCheapestRows(Held, out _);
}
