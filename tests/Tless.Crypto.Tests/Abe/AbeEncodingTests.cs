using Tless.Crypto.Abe;

namespace Tless.Crypto.Tests.Abe;

public sealed class AbeEncodingTests(AbeTestAuthorities authorities) : IClassFixture<AbeTestAuthorities>
{
    [Fact]
    public void PublicKey_RoundTrips()
    {
        var pk = authorities["as0"].PublicKey;
        var bytes = pk.ToBytes();
        Assert.Equal(4 + 1 + 2 + 3 + 576 + 48, bytes.Length);
        Assert.Equal(pk, AuthorityPublicKey.FromBytes(bytes));
    }

    [Fact]
    public void PublicKey_EveryTruncation_ThrowsFormatException()
    {
        var bytes = authorities["as0"].PublicKey.ToBytes();
        for (var len = 0; len < bytes.Length; len++)
        {
            var e = Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(bytes.AsSpan(0, len)));
            Assert.StartsWith("authority public key:", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PublicKey_TrailingBytes_Throws()
    {
        byte[] bytes = [.. authorities["as0"].PublicKey.ToBytes(), 0];
        Assert.Contains("trailing", Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicKey_OffSubgroupG1Point_Throws()
    {
        // (0, 2) lies on y^2 = x^3 + 4 but has order 3, so it is outside the order-r subgroup.
        var bytes = authorities["as0"].PublicKey.ToBytes();
        var g1 = bytes.AsSpan(bytes.Length - 48);
        g1.Clear();
        g1[0] = 0x80;
        var e = Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(bytes));
        Assert.Contains("g1^y", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicKey_NonCanonicalPointEncoding_Throws()
    {
        var bytes = authorities["as0"].PublicKey.ToBytes();
        bytes[^48] &= 0x7f; // clear the compression flag: not a compressed encoding any more
        Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(bytes));
        var bytes2 = authorities["as0"].PublicKey.ToBytes();
        bytes2[^48] |= 0x1f; // x >= p
        bytes2.AsSpan(bytes2.Length - 47).Fill(0xff);
        Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(bytes2));
    }

    [Fact]
    public void PublicKey_BadMagicOrVersionOrId_Throws()
    {
        var bytes = authorities["as0"].PublicKey.ToBytes();
        var m = (byte[])bytes.Clone();
        m[1] = 0;
        Assert.Contains("magic", Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(m)).Message, StringComparison.Ordinal);
        var v = (byte[])bytes.Clone();
        v[4] = 2;
        Assert.Contains("version 2", Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(v)).Message, StringComparison.Ordinal);
        var id = (byte[])bytes.Clone();
        id[7] = (byte)'.';
        Assert.Contains("authority id", Assert.Throws<TlessFormatException>(() => AuthorityPublicKey.FromBytes(id)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MasterKey_MalformedSecret_Throws()
    {
        var secret = authorities["as0"].ExportSecret();
        for (var len = 0; len < secret.Length; len++)
        {
            Assert.Throws<TlessFormatException>(() => AuthorityMasterKey.ImportSecret(secret.AsSpan(0, len)));
        }

        var big = (byte[])secret.Clone();
        big.AsSpan(big.Length - 32).Fill(0xff); // y >= r is not canonical
        Assert.Contains("canonical", Assert.Throws<TlessFormatException>(() => AuthorityMasterKey.ImportSecret(big)).Message, StringComparison.Ordinal);

        var zero = (byte[])secret.Clone();
        zero.AsSpan(zero.Length - 32).Clear();
        Assert.Contains("zero", Assert.Throws<TlessFormatException>(() => AuthorityMasterKey.ImportSecret(zero)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserKeyPart_MalformedBytes_Throws()
    {
        using var part = CpAbe.KeyGen(authorities["as1"], "g", ["as1.wf:W", "as1.node:N"]);
        var bytes = part.Export();
        for (var len = 0; len < bytes.Length; len += 7)
        {
            Assert.Throws<TlessFormatException>(() => UserKeyPart.Import(bytes.AsSpan(0, len)));
        }

        // claim the attributes belong to another authority (same length id)
        var other = (byte[])bytes.Clone();
        var at = other.AsSpan().IndexOf("as1.node:N"u8);
        other[at + 2] = (byte)'2';
        Assert.Contains("belongs to authority 'as2'", Assert.Throws<TlessFormatException>(() => UserKeyPart.Import(other)).Message, StringComparison.Ordinal);

        byte[] trailing = [.. bytes, 1];
        Assert.Contains("trailing", Assert.Throws<TlessFormatException>(() => UserKeyPart.Import(trailing)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ciphertext_Malformed_ThrowsWithClearMessage()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W | as1.wf:W"), out _).ToBytes();

        for (var len = 0; len < ct.Length; len += 53)
        {
            var e = Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(ct.AsSpan(0, len)));
            Assert.StartsWith("ABE ciphertext", e.Message, StringComparison.Ordinal);
        }

        byte[] trailing = [.. ct, 0];
        Assert.Contains("bytes of rows and tag", Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(trailing)).Message, StringComparison.Ordinal);

        var nonCanonical = (byte[])ct.Clone();
        nonCanonical[5 + 2 + 10] = (byte)'\t'; // "as0.wf:W |\tas1.wf:W" parses but is not the canonical text
        Assert.Contains("canonical", Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(nonCanonical)).Message, StringComparison.Ordinal);

        var rowCount = (byte[])ct.Clone();
        var policyLength = (rowCount[5] << 8) | rowCount[6];
        rowCount[5 + 2 + policyLength + 1] = 3;
        Assert.Contains("row count 3", Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(rowCount)).Message, StringComparison.Ordinal);

        var badPolicy = (byte[])ct.Clone();
        badPolicy[5 + 2] = (byte)'(';
        Assert.Contains("does not parse", Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(badPolicy)).Message, StringComparison.Ordinal);
    }
}
