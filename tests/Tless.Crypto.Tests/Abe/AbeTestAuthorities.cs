using Tless.Crypto.Abe;

namespace Tless.Crypto.Tests.Abe;

/// <summary>Authorities shared by the scheme tests (key generation costs group operations).</summary>
public sealed class AbeTestAuthorities : IDisposable
{
    private readonly Dictionary<string, AuthorityMasterKey> _keys;

    public AbeTestAuthorities() =>
        _keys = PolicyGenerators.Authorities.Concat(["as2"]).ToDictionary(a => a, AuthorityMasterKey.Generate);

    public AuthorityMasterKey this[string id] => _keys[id];

    public IReadOnlyList<AuthorityPublicKey> PublicKeys => [.. _keys.Values.Select(k => k.PublicKey)];

    /// <summary>Issues one key part per authority for the given full attribute names.</summary>
    public List<UserKeyPart> Issue(string gid, IEnumerable<string> attributes) =>
        [.. attributes
            .GroupBy(a => PolicyAttribute.ParseName(a).Authority)
            .Select(g => CpAbe.KeyGen(_keys[g.Key], gid, g))];

    public void Dispose()
    {
        foreach (var k in _keys.Values)
        {
            k.Dispose();
        }
    }
}
