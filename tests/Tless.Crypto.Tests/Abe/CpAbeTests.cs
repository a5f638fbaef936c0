using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Abe;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Abe;

public sealed class CpAbeTests(AbeTestAuthorities authorities) : IClassFixture<AbeTestAuthorities>
{
    private const string Gid = "gid-0001";

    [Fact]
    public void GtGenerator_IsPairingOfGenerators()
    {
        // The scheme publishes e(g1, g2)^alpha as Gt.Generator^alpha; decryption relies on this identity.
        Assert.Equal(Pairing.Pair(G1.Generator, G2.Generator), Gt.Generator);
    }

    [Theory]
    // single authority
    [InlineData("as0.wf:W", "as0.wf:W", true)]
    [InlineData("as0.wf:W", "as0.node:n-1", false)]
    [InlineData("as0.wf:W & as0.node:n-1", "as0.wf:W,as0.node:n-1", true)]
    [InlineData("as0.wf:W & as0.node:n-1", "as0.wf:W", false)]
    [InlineData("as0.wf:W | as0.node:n-1", "as0.node:n-1", true)]
    [InlineData("as0.wf:W | as0.node:n-1", "as0.wf:X", false)]
    // multi-authority conjunction and disjunction
    [InlineData("as0.wf:W & as1.wf:W & user.wf:W", "as0.wf:W,as1.wf:W,user.wf:W", true)]
    [InlineData("as0.wf:W & as1.wf:W & user.wf:W", "as0.wf:W,as1.wf:W", false)]
    [InlineData("as0.wf:W & as0.node:n-1 | as1.wf:W & as1.node:n-1", "as1.wf:W,as1.node:n-1", true)]
    [InlineData("as0.wf:W & as0.node:n-1 | as1.wf:W & as1.node:n-1", "as0.wf:W,as1.node:n-1", false)]
    // same label from another authority does not count
    [InlineData("as0.wf:W", "as1.wf:W,user.wf:W", false)]
    // nested
    [InlineData("(as0.wf:W | as1.wf:W) & (as0.node:n-1 | user.node:n-1) & user.wf:W", "as1.wf:W,user.node:n-1,user.wf:W", true)]
    [InlineData("(as0.wf:W | as1.wf:W) & (as0.node:n-1 | user.node:n-1) & user.wf:W", "as1.wf:W,as1.node:n-1,user.wf:W", false)]
    [InlineData("as0.wf:W & (as0.node:n-1 | as1.node:n-1 & (user.wf:W | user.node:n-1))", "as0.wf:W,as1.node:n-1,user.node:n-1", true)]
    [InlineData("as0.wf:W & (as0.node:n-1 | as1.node:n-1 & (user.wf:W | user.node:n-1))", "as0.wf:W,as1.node:n-1", false)]
    // a repeated attribute
    [InlineData("as0.wf:W & as1.wf:W | as0.wf:W & user.wf:W", "as0.wf:W,user.wf:W", true)]
    public void TryDecapsulate_Matrix_SucceedsExactlyWhenSatisfied(string policyText, string held, bool expected)
    {
        var policy = Policy.Parse(policyText);
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out var key);
        var keys = authorities.Issue(Gid, held.Split(','));

        var ok = CpAbe.TryDecapsulate(keys, ct, out var recovered);

        Assert.Equal(expected, ok);
        if (expected)
        {
            Assert.Equal(key, recovered);
        }
        else
        {
            Assert.Equal(default, recovered);
        }
    }

    [Fact]
    public void TryDecapsulate_TwoGidsWithComplementaryAttributes_Fails()
    {
        var policy = Policy.Parse("as0.wf:W & as0.node:n-1 & as1.wf:W");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out _);
        var alice = authorities.Issue("alice", ["as0.wf:W", "as1.wf:W"]);
        var bob = authorities.Issue("bob", ["as0.node:n-1"]);

        Assert.False(CpAbe.TryDecapsulate(alice, ct, out _));
        Assert.False(CpAbe.TryDecapsulate(bob, ct, out _));
        Assert.False(CpAbe.TryDecapsulate([.. alice, .. bob], ct, out _));
    }

    [Fact]
    public void TryDecapsulate_KeyPartsRelabelledToOneGid_Fails()
    {
        // Collusion by rewriting the GID field of an exported key part: the key material stays bound to H(bob).
        var policy = Policy.Parse("as0.wf:W & as1.wf:W");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out _);
        using var alice = CpAbe.KeyGen(authorities["as0"], "alice", ["as0.wf:W"]);
        using var bob = CpAbe.KeyGen(authorities["as1"], "bobby", ["as1.wf:W"]);
        var bytes = bob.Export();
        var text = System.Text.Encoding.ASCII.GetBytes("bobby");
        var at = bytes.AsSpan().IndexOf(text);
        System.Text.Encoding.ASCII.GetBytes("alice").CopyTo(bytes, at);
        using var forged = UserKeyPart.Import(bytes);
        Assert.Equal("alice", forged.Gid);

        Assert.False(CpAbe.TryDecapsulate([alice, forged], ct, out _));
    }

    [Fact]
    public void TryDecapsulate_NoKeys_ReturnsFalse()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W"), out _);
        Assert.False(CpAbe.TryDecapsulate([], ct, out _));
    }

    [Fact]
    public void TryDecapsulate_TamperedTagOrPolicy_Fails()
    {
        var policy = Policy.Parse("as0.wf:W | as1.wf:W");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out _);
        var keys = authorities.Issue(Gid, ["as0.wf:W", "as1.wf:W"]);
        Assert.True(CpAbe.TryDecapsulate(keys, ct, out _));

        var bytes = ct.ToBytes();
        bytes[^1] ^= 1;
        Assert.False(CpAbe.TryDecapsulate(keys, AbeCiphertext.FromBytes(bytes), out _));

        // swap the two literals in the public header: still well-formed, rows now mislabelled
        var swapped = ct.ToBytes();
        var text = System.Text.Encoding.ASCII.GetBytes("as0.wf:W | as1.wf:W");
        var at = swapped.AsSpan().IndexOf(text);
        System.Text.Encoding.ASCII.GetBytes("as1.wf:W | as0.wf:W").CopyTo(swapped, at);
        Assert.False(CpAbe.TryDecapsulate(keys, AbeCiphertext.FromBytes(swapped), out _));
    }

    [Fact]
    public void TryDecapsulate_TamperedGroupElement_FailsOrIsRefused()
    {
        var policy = Policy.Parse("as0.wf:W");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out _);
        var keys = authorities.Issue(Gid, ["as0.wf:W"]);
        var rowStart = ct.ToBytes().Length - 32 - AbeCiphertext.RowSize;
        int[] offsets = [rowStart + 100, rowStart + 576 + 20, rowStart + 576 + 48 + 20, rowStart + 576 + 96 + 50];
        foreach (var offset in offsets)
        {
            var bytes = ct.ToBytes();
            bytes[offset] ^= 0x04;
            try
            {
                Assert.False(CpAbe.TryDecapsulate(keys, AbeCiphertext.FromBytes(bytes), out _));
            }
            catch (TlessFormatException)
            {
                // not a valid group element any more: refused at parse time, equally fine
            }
        }
    }

    [Fact]
    public void KeyGen_AttributeOfOtherAuthority_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => CpAbe.KeyGen(authorities["as0"], Gid, ["as0.wf:W", "as1.wf:W"]));
        Assert.Contains("as1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CpAbe.KeyGen(authorities["as0"], Gid, []));
        Assert.Throws<ArgumentException>(() => CpAbe.KeyGen(authorities["as0"], Gid, ["as0.wf W"]));
        Assert.Throws<ArgumentException>(() => CpAbe.KeyGen(authorities["as0"], "", ["as0.wf:W"]));
    }

    [Fact]
    public void Encapsulate_MissingAuthorityKey_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            CpAbe.Encapsulate([authorities["as0"].PublicKey], Policy.Parse("as0.wf:W & zz.wf:W"), out _));
        Assert.Contains("zz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encapsulate_ConflictingKeysForOneAuthority_Throws()
    {
        using var other = AuthorityMasterKey.Generate("as0");
        Assert.Throws<ArgumentException>(() =>
            CpAbe.Encapsulate([authorities["as0"].PublicKey, other.PublicKey], Policy.Parse("as0.wf:W"), out _));
    }

    [Fact]
    public void TryDecapsulate_KeyFromImpostorAuthorityWithSameId_Fails()
    {
        using var impostor = AuthorityMasterKey.Generate("as0");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W"), out _);
        using var key = CpAbe.KeyGen(impostor, Gid, ["as0.wf:W"]);
        Assert.False(CpAbe.TryDecapsulate([key], ct, out _));
    }

    [Fact]
    public void MasterKey_ExportImport_SamePublicKeyAndWorkingKeys()
    {
        using var msk = AuthorityMasterKey.Generate("as9");
        var exported = msk.ExportSecret();
        using var imported = AuthorityMasterKey.ImportSecret(exported);
        Assert.Equal("as9", imported.AuthorityId);
        Assert.Equal(msk.PublicKey, imported.PublicKey);
        Assert.Equal(msk.PublicKey.ToBytes(), imported.PublicKey.ToBytes());

        var ct = CpAbe.Encapsulate([msk.PublicKey], Policy.Parse("as9.wf:W"), out var k);
        using var part = CpAbe.KeyGen(imported, Gid, ["as9.wf:W"]);
        Assert.True(CpAbe.TryDecapsulate([part], ct, out var k2));
        Assert.Equal(k, k2);
    }

    [Fact]
    public void MasterKey_Dispose_RefusesFurtherUse()
    {
        var msk = AuthorityMasterKey.Generate("as9");
        msk.Dispose();
        Assert.Throws<ObjectDisposedException>(() => msk.ExportSecret());
        Assert.Throws<ObjectDisposedException>(() => CpAbe.KeyGen(msk, Gid, ["as9.wf:W"]));
    }

    [Fact]
    public void UserKeyPart_ExportImport_DecryptsAndKeepsMetadata()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as1.wf:W & as1.node:n-1"), out var k);
        using var part = CpAbe.KeyGen(authorities["as1"], "gid-ü", ["as1.wf:W", "as1.node:n-1", "as1.anc:user"]);
        using var imported = UserKeyPart.Import(part.Export());
        Assert.Equal("gid-ü", imported.Gid);
        Assert.Equal("as1", imported.AuthorityId);
        Assert.Equal(part.Attributes, imported.Attributes);
        Assert.True(CpAbe.TryDecapsulate([imported], ct, out var k2));
        Assert.Equal(k, k2);
    }

    [Fact]
    public void UserKeyPart_Dispose_RefusesFurtherUse()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as1.wf:W"), out _);
        var part = CpAbe.KeyGen(authorities["as1"], Gid, ["as1.wf:W"]);
        part.Dispose();
        Assert.Throws<ObjectDisposedException>(() => part.Export());
        Assert.Throws<ObjectDisposedException>(() => CpAbe.TryDecapsulate([part], ct, out _));
    }

    [Fact]
    public void Ciphertext_ToBytesFromBytes_RoundTrips()
    {
        var policy = Policy.Parse("as0.wf:W & (as1.wf:W | user.wf:W)");
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out var k);
        var parsed = AbeCiphertext.FromBytes(ct.ToBytes());
        Assert.Equal(policy, parsed.Policy);
        Assert.Equal(ct.ToBytes(), parsed.ToBytes());
        Assert.Equal(5 + 2 + policy.ToString().Length + 2 + 3 * AbeCiphertext.RowSize + 32, ct.EncodedLength);
        Assert.True(CpAbe.TryDecapsulate(authorities.Issue(Gid, ["as0.wf:W", "user.wf:W"]), parsed, out var k2));
        Assert.Equal(k, k2);
    }

    [Fact]
    public void Encapsulate_TwiceSamePolicy_GivesDifferentKeys()
    {
        var policy = Policy.Parse("as0.wf:W");
        CpAbe.Encapsulate(authorities.PublicKeys, policy, out var k1);
        CpAbe.Encapsulate(authorities.PublicKeys, policy, out var k2);
        Assert.NotEqual(k1, k2);
    }

    [Property(MaxTest = 12)]
    public Property TryDecapsulate_RandomPolicyAndAttributes_SucceedsExactlyWhenSatisfied() =>
        Prop.ForAll(
            PolicyGenerators.PolicyGen(2).ToArbitrary(),
            PolicyGenerators.AttributeSetGen.Where(s => s.Count > 0).ToArbitrary(),
            (policy, held) =>
            {
                var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out var key);
                var keys = authorities.Issue("prop", held);
                var ok = CpAbe.TryDecapsulate(keys, ct, out var recovered);
                return ok == policy.IsSatisfiedBy(held) && (!ok || recovered == key);
            });
}
