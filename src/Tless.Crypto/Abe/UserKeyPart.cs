using System.Collections.Immutable;
using System.Text;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// One authority's secret key for one GID and a set of that authority's attributes: per attribute u,
/// K_u = g2^α · H(GID)^y · F(u)^t_u ∈ G2 and K'_u = g1^t_u ∈ G1. Disposing overwrites the key material.
/// </summary>
public sealed class UserKeyPart : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "TLUK"u8;

    internal const byte Version = 1;

    /// <summary>Longest GID in UTF-8 bytes.</summary>
    public const int MaxGidBytes = 1024;

    private readonly G2[] _k;
    private readonly G1[] _kPrime;
    private readonly ImmutableArray<string> _attributes;
    // Miller-loop line coefficients of K_u and H(GID), built on first use: a host decrypts several objects (code,
    // inputs) with the same key parts, and a prepared point skips all G2 arithmetic of the pairing.
    private readonly G2Prepared?[] _kPrepared;
    private readonly G2? _gidPoint;
    private G2Prepared? _gidPrepared;
    private bool _disposed;

    internal UserKeyPart(string gid, string authorityId, ImmutableArray<string> attributes, G2[] k, G1[] kPrime, G2? gidPoint)
    {
        Gid = gid;
        AuthorityId = authorityId;
        _attributes = attributes;
        _k = k;
        _kPrime = kPrime;
        _kPrepared = new G2Prepared?[k.Length];
        _gidPoint = gidPoint;
    }

    /// <summary>The global identifier the key is bound to.</summary>
    public string Gid { get; }

    /// <summary>The issuing authority.</summary>
    public string AuthorityId { get; }

    /// <summary>Full attribute names <c>authority.label:value</c>, sorted ordinally.</summary>
    public IReadOnlyCollection<string> Attributes => _attributes;

    internal int IndexOf(string attribute) => _attributes.BinarySearch(attribute, StringComparer.Ordinal);

    internal G2 K(int i)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _k[i];
    }

    internal G1 KPrime(int i)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _kPrime[i];
    }

    /// <summary>K_u prepared for pairing, computed once per attribute (thread-safe; racing callers agree).</summary>
    internal G2Prepared KPrepared(int i)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var prepared = Volatile.Read(ref _kPrepared[i]);
        if (prepared is null)
        {
            var fresh = new G2Prepared(_k[i]);
            prepared = Interlocked.CompareExchange(ref _kPrepared[i], fresh, null) ?? fresh;
        }

        return prepared;
    }

    /// <summary>
    /// H(GID) prepared for pairing, computed once per key part (from the point KeyGen already hashed, else by hashing
    /// the GID). Published through a reference so that concurrent decryptions never see a torn value.
    /// </summary>
    internal G2Prepared GidPrepared =>
        Volatile.Read(ref _gidPrepared) ?? InterlockedInit(ref _gidPrepared, new G2Prepared(_gidPoint ?? AbeHash.Gid(Gid)));

    /// <summary>"TLUK", 1, GID, authority, count, then per attribute: name, K (G2, 96 B), K' (G1, 48 B). A secret.</summary>
    public byte[] Export()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var w = new AbeWriter(16 + Gid.Length * 3 + AuthorityId.Length + _k.Length * (150 + 64));
        w.Write(Magic);
        w.WriteByte(Version);
        w.WriteString16(Gid);
        w.WriteString16(AuthorityId);
        w.WriteUInt16(_k.Length);
        for (var i = 0; i < _k.Length; i++)
        {
            w.WriteString16(_attributes[i]);
            w.WriteG2(_k[i]);
            w.WriteG1(_kPrime[i]);
        }

        var result = w.ToArray();
        w.Clear();
        return result;
    }

    /// <summary>Parses <see cref="Export"/> output strictly; throws <see cref="TlessFormatException"/>.</summary>
    public static UserKeyPart Import(ReadOnlySpan<byte> bytes)
    {
        var r = new AbeReader(bytes, "user key part", Magic, Version);
        var gid = r.ReadString16("gid", MaxGidBytes);
        var authority = r.ReadString16("authority id", 255);
        if (!AuthorityMasterKey.IsAuthorityId(authority))
        {
            throw r.Fail($"authority id '{authority}' is not an identifier [A-Za-z0-9_]+");
        }

        var count = r.ReadUInt16("attribute count");
        if (count == 0)
        {
            throw r.Fail("the key part has no attributes");
        }

        var names = ImmutableArray.CreateBuilder<string>(count);
        var k = new G2[count];
        var kp = new G1[count];
        for (var i = 0; i < count; i++)
        {
            var name = r.ReadString16($"attribute {i} name", 1024);
            if (!PolicyAttribute.TryParseName(name, out var attr))
            {
                throw r.Fail($"attribute {i} '{name}' is not of the form authority.label:value");
            }

            if (attr.Authority != authority)
            {
                throw r.Fail($"attribute {i} '{name}' belongs to authority '{attr.Authority}', not '{authority}'");
            }

            if (i > 0 && string.CompareOrdinal(names[i - 1], name) >= 0)
            {
                throw r.Fail($"attribute {i} '{name}' is out of order or repeated (names must be strictly sorted)");
            }

            names.Add(name);
            k[i] = r.ReadG2($"K of attribute {i}");
            kp[i] = r.ReadG1($"K' of attribute {i}");
        }

        r.End();
        return new UserKeyPart(gid, authority, names.MoveToImmutable(), k, kp, gidPoint: null);
    }

    /// <summary>Overwrites the key material.</summary>
    public void Dispose()
    {
        Array.Clear(_k);
        Array.Clear(_kPrime);
        for (var i = 0; i < _kPrepared.Length; i++)
        {
            // The line coefficients are derived from K_u and are as secret as K_u itself.
            if (Interlocked.Exchange(ref _kPrepared[i], null) is { } prepared)
            {
                Array.Clear(prepared.Coeffs);
            }
        }

        _disposed = true;
    }

    private static G2Prepared InterlockedInit(ref G2Prepared? field, G2Prepared fresh) =>
        Interlocked.CompareExchange(ref field, fresh, null) ?? fresh;

    public override string ToString() => $"UserKeyPart({AuthorityId}, gid={Gid}, {_attributes.Length} attributes)";

    internal static void CheckGid(string gid)
    {
        ArgumentNullException.ThrowIfNull(gid);
        int bytes;
        try
        {
            bytes = AbeWriter.StrictUtf8.GetByteCount(gid);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The GID is not valid UTF-16 (lone surrogate).", nameof(gid), e);
        }

        if (bytes is 0 or > MaxGidBytes)
        {
            throw new ArgumentException($"The GID must be 1..{MaxGidBytes} UTF-8 bytes (got {bytes}).", nameof(gid));
        }
    }
}
