using FsCheck;
using FsCheck.Fluent;
using Tless.Crypto.Abe;

namespace Tless.Crypto.Tests.Abe;

/// <summary>Random small policies and attribute sets for property tests.</summary>
public static class PolicyGenerators
{
    public static readonly string[] Authorities = ["as0", "as1", "user"];

    public static readonly PolicyAttribute[] Pool =
    [
        .. from a in Authorities
           from l in new[] { "wf", "node" }
           from v in new[] { "W", "n-1" }
           select Policy.Attribute(a, l, v),
    ];

    public static Gen<Policy> PolicyGen(int depth) => depth <= 0
        ? Gen.Elements(Pool).Select(a => (Policy)a)
        : Gen.Frequency(
            (2, Gen.Elements(Pool).Select(a => (Policy)a)),
            (3, Gen.Choose(2, 3).SelectMany(n => Gen.ListOf(PolicyGen(depth - 1), n)).Select(c => (Policy)new PolicyAnd([.. c]))),
            (3, Gen.Choose(2, 3).SelectMany(n => Gen.ListOf(PolicyGen(depth - 1), n)).Select(c => (Policy)new PolicyOr([.. c]))));

    public static Gen<HashSet<string>> AttributeSetGen =>
        Gen.SubListOf(Pool.Select(a => a.Name)).Select(l => l.ToHashSet(StringComparer.Ordinal));

    /// <summary>Used by [Property(Arbitrary = ...)].</summary>
    public static Arbitrary<Policy> Policies() => PolicyGen(3).ToArbitrary();

    public static Arbitrary<HashSet<string>> AttributeSets() => AttributeSetGen.ToArbitrary();
}
