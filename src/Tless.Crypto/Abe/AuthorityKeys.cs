using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// The secret key (α, y) of one ABE authority. It zeroes itself on <see cref="Dispose"/>; the only way out of the
/// process is the explicit <see cref="ExportSecret"/>.
/// </summary>
public sealed class AuthorityMasterKey : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "TLAK"u8;

    internal const byte Version = 1;

    private Scalar _alpha;
    private Scalar _y;
    private G2 _g2Alpha;
    private bool _disposed;

    private AuthorityMasterKey(string authorityId, in Scalar alpha, in Scalar y)
    {
        AuthorityId = authorityId;
        _alpha = alpha;
        _y = y;
        _g2Alpha = G2.Generator * alpha;
        PublicKey = new AuthorityPublicKey(authorityId, GtFixedBase.Generator.Pow(alpha), AbeGroups.G1Base.Multiply(y));
    }

    /// <summary>The authority's id: an identifier <c>[A-Za-z0-9_]+</c>, used as the prefix of its attributes.</summary>
    public string AuthorityId { get; }

    /// <summary>The matching public key.</summary>
    public AuthorityPublicKey PublicKey { get; }

    /// <summary>Creates a fresh authority key from the system CSPRNG.</summary>
    public static AuthorityMasterKey Generate(string authorityId)
    {
        CheckAuthorityId(authorityId);
        var alpha = NonZeroRandom();
        var y = NonZeroRandom();
        return new AuthorityMasterKey(authorityId, alpha, y);
    }

    /// <summary>Exports the secret (versioned binary: "TLAK", 1, id, α, y). Handle the result as a secret.</summary>
    public byte[] ExportSecret()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var w = new AbeWriter(5 + 2 + AuthorityId.Length + 64);
        w.Write(Magic);
        w.WriteByte(Version);
        w.WriteString16(AuthorityId);
        w.WriteScalar(_alpha);
        w.WriteScalar(_y);
        var result = w.ToArray();
        w.Clear();
        return result;
    }

    /// <summary>Imports a key written by <see cref="ExportSecret"/>; throws <see cref="TlessFormatException"/>.</summary>
    public static AuthorityMasterKey ImportSecret(ReadOnlySpan<byte> secret)
    {
        var r = new AbeReader(secret, "authority master key", Magic, Version);
        var id = r.ReadString16("authority id", 255);
        if (!IsAuthorityId(id))
        {
            throw r.Fail($"authority id '{id}' is not an identifier [A-Za-z0-9_]+");
        }

        var alpha = r.ReadScalar("alpha");
        var y = r.ReadScalar("y");
        r.End();
        if (alpha.IsZero || y.IsZero)
        {
            throw r.Fail("a secret exponent is zero");
        }

        return new AuthorityMasterKey(id, alpha, y);
    }

    /// <summary>Overwrites the secret exponents.</summary>
    public void Dispose()
    {
        _alpha = Scalar.Zero;
        _y = Scalar.Zero;
        _g2Alpha = default;
        _disposed = true;
    }

    internal Scalar Y
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _y;
        }
    }

    internal G2 G2Alpha
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _g2Alpha;
        }
    }

    internal static Scalar NonZeroRandom()
    {
        while (true)
        {
            var s = Scalar.Random();
            if (!s.IsZero)
            {
                return s;
            }
        }
    }

    internal static bool IsAuthorityId(string id) =>
        id.Length is > 0 and <= 255 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    internal static void CheckAuthorityId(string authorityId)
    {
        ArgumentNullException.ThrowIfNull(authorityId);
        if (!IsAuthorityId(authorityId))
        {
            throw new ArgumentException($"The authority id '{authorityId}' must be 1..255 characters of [A-Za-z0-9_].", nameof(authorityId));
        }
    }
}

/// <summary>The public key of one ABE authority: e(g1, g2)^α and g1^y. Versioned binary via <see cref="ToBytes"/>.</summary>
public sealed class AuthorityPublicKey : IEquatable<AuthorityPublicKey>
{
    internal static ReadOnlySpan<byte> Magic => "TLAP"u8;

    internal const byte Version = 1;

    internal AuthorityPublicKey(string authorityId, in Gt eggAlpha, in G1 g1Y)
    {
        AuthorityId = authorityId;
        EggAlpha = eggAlpha;
        G1Y = g1Y;
    }

    /// <summary>The authority's id (prefix of its attributes).</summary>
    public string AuthorityId { get; }

    internal Gt EggAlpha { get; }

    /// <summary>(e(g1,g2)^α)^t in constant time, through a shared fixed-base table once the key is seen again.</summary>
    internal Gt EggAlphaPow(in Scalar t) => GtFixedBase.PowCached(EggAlpha, t);

    internal G1 G1Y { get; }

    /// <summary>"TLAP", 1, id (u16 length + UTF-8), e(g1,g2)^α (576 B), g1^y (48 B compressed).</summary>
    public byte[] ToBytes()
    {
        var w = new AbeWriter(5 + 2 + AuthorityId.Length + AbeWriter.GtSize + AbeWriter.G1Size);
        w.Write(Magic);
        w.WriteByte(Version);
        w.WriteString16(AuthorityId);
        w.WriteGt(EggAlpha);
        w.WriteG1(G1Y);
        return w.ToArray();
    }

    /// <summary>Parses <see cref="ToBytes"/> output strictly; throws <see cref="TlessFormatException"/>.</summary>
    public static AuthorityPublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        var r = new AbeReader(bytes, "authority public key", Magic, Version);
        var id = r.ReadString16("authority id", 255);
        if (!AuthorityMasterKey.IsAuthorityId(id))
        {
            throw r.Fail($"authority id '{id}' is not an identifier [A-Za-z0-9_]+");
        }

        var egg = r.ReadGt("e(g1,g2)^alpha");
        var g1y = r.ReadG1("g1^y");
        r.End();
        if (egg.IsOne || g1y.IsIdentity)
        {
            throw r.Fail("a public key element is the identity");
        }

        return new AuthorityPublicKey(id, egg, g1y);
    }

    public bool Equals(AuthorityPublicKey? other) =>
        other is not null && AuthorityId == other.AuthorityId && EggAlpha == other.EggAlpha && G1Y == other.G1Y;

    public override bool Equals(object? obj) => Equals(obj as AuthorityPublicKey);

    public override int GetHashCode() => AuthorityId.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"AuthorityPublicKey({AuthorityId})";
}

/// <summary>Shared precomputation.</summary>
internal static class AbeGroups
{
    private static G1FixedBase? s_g1Base;

    public static G1FixedBase G1Base => s_g1Base ??= new G1FixedBase(G1.Generator);
}
