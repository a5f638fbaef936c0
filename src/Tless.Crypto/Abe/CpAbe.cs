using System.Collections.Immutable;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// Decentralised multi-authority CP-ABE (Rouselakis-Waters 2015, placed for the Type-3 pairing of BLS12-381) as a
/// key-encapsulation mechanism. See docs/crypto.md for the scheme, its assumptions and encodings.
/// </summary>
public static class CpAbe
{
    /// <summary>
    /// Issues a key part for <paramref name="gid"/> and the given attributes, which must all be
    /// <c>msk.AuthorityId.label:value</c>.
    /// </summary>
    public static UserKeyPart KeyGen(AuthorityMasterKey msk, string gid, IEnumerable<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(msk);
        ArgumentNullException.ThrowIfNull(attributes);
        UserKeyPart.CheckGid(gid);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var a in attributes)
        {
            if (!PolicyAttribute.TryParseName(a, out var attr))
            {
                throw new ArgumentException($"'{a}' is not an attribute name of the form authority.label:value.", nameof(attributes));
            }

            if (attr.Authority != msk.AuthorityId)
            {
                throw new ArgumentException(
                    $"Attribute '{a}' belongs to authority '{attr.Authority}'; this key can only issue '{msk.AuthorityId}.*' attributes.",
                    nameof(attributes));
            }

            names.Add(a);
        }

        if (names.Count == 0)
        {
            throw new ArgumentException("A key part needs at least one attribute.", nameof(attributes));
        }

        if (names.Count > ushort.MaxValue)
        {
            throw new ArgumentException($"A key part holds at most {ushort.MaxValue} attributes.", nameof(attributes));
        }

        var gidPoint = AbeHash.Gid(gid);
        var common = msk.G2Alpha + gidPoint * msk.Y;
        var list = names.ToImmutableArray();
        var k = new G2[list.Length];
        var kp = new G1[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var t = AuthorityMasterKey.NonZeroRandom();
            k[i] = common + AbeHash.AttributeTimes(list[i], t);
            kp[i] = AbeGroups.G1Base.Multiply(t);
        }

        return new UserKeyPart(gid, msk.AuthorityId, list, k, kp, gidPoint);
    }

    /// <summary>
    /// Encapsulates a fresh GT key under <paramref name="policy"/>. Every authority the policy names must be among
    /// <paramref name="authorities"/> (others are ignored).
    /// </summary>
    public static AbeCiphertext Encapsulate(IEnumerable<AuthorityPublicKey> authorities, Policy policy, out Gt key)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(policy);
        var byId = IndexAuthorities(authorities);
        var matrix = LsssMatrix.FromPolicy(policy);
        var missing = policy.GetAuthorities().Where(a => !byId.ContainsKey(a)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"The policy names authorities without a public key here: {string.Join(", ", missing)}.", nameof(authorities));
        }

        var n = matrix.ColumnCount;
        var v = new Scalar[n];
        var w = new Scalar[n];
        var z = AuthorityMasterKey.NonZeroRandom();
        v[0] = z;
        w[0] = Scalar.Zero;
        for (var j = 1; j < n; j++)
        {
            v[j] = Scalar.Random();
            w[j] = Scalar.Random();
        }

        var lambda = matrix.Share(v);
        var omega = matrix.Share(w);
        var rows = matrix.RowCount;
        var c1 = new Gt[rows];
        var c2 = new G1[rows];
        var c3 = new G1[rows];
        var c4 = new G2[rows];
        var g1 = AbeGroups.G1Base;
        for (var x = 0; x < rows; x++)
        {
            var attribute = matrix.RowAttributes[x];
            var pk = byId[attribute.Authority];
            var t = AuthorityMasterKey.NonZeroRandom();
            c1[x] = GtFixedBase.Generator.Pow(lambda[x]) * pk.EggAlphaPow(t);
            c2[x] = g1.Multiply(-t);
            c3[x] = pk.G1Y * t + g1.Multiply(omega[x]);
            c4[x] = AbeHash.AttributeTimes(attribute.Name, t);
        }

        key = GtFixedBase.Generator.Pow(z);
        Array.Clear(v);
        Array.Clear(w);
        Array.Clear(lambda);
        Array.Clear(omega);
        return AbeCiphertext.Create(matrix, c1, c2, c3, c4, key);
    }

    /// <summary>
    /// Recovers the encapsulated key with key parts that all carry the same GID. Uses the cheapest satisfying set of
    /// rows and one multi-pairing. Returns false when the keys do not satisfy the policy, mix GIDs, or the
    /// ciphertext fails its key-confirmation tag. A ciphertext parsed lazily (inside <see cref="AbeHybrid"/>) throws
    /// <see cref="TlessFormatException"/> when a row it needs holds an invalid group element.
    /// </summary>
    public static bool TryDecapsulate(IEnumerable<UserKeyPart> keys, AbeCiphertext ct, out Gt key)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(ct);
        key = default;
        var parts = keys.ToList();
        if (parts.Count == 0)
        {
            return false;
        }

        var gid = parts[0].Gid;
        var held = new Dictionary<string, (UserKeyPart Part, int Index)>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(keys));
            if (!string.Equals(part.Gid, gid, StringComparison.Ordinal))
            {
                return false;
            }

            var i = 0;
            foreach (var name in part.Attributes)
            {
                held.TryAdd(name, (part, i++));
            }
        }

        if (!ct.Matrix.TryFindCheapestRows(held.Keys.ToHashSet(StringComparer.Ordinal), out var rows))
        {
            return false;
        }

        // With the Lewko-Waters matrix every coefficient of a minimal set is 1, so
        //   e(g,g)^z = Π C1_x · e(C2_x, K_x) · e(Σ C3_x, H(GID)) · e(K'_x, C4_x)
        // where all C3 terms share H(GID) and collapse into a single pairing: 2|rows| + 1 Miller loops, one final
        // exponentiation. K_x and H(GID) are paired by every decryption with this key part, so their line
        // coefficients are cached in the key part; only the ciphertext's C4_x are prepared afresh.
        var m = rows.Length;
        var ps = new G1[2 * m + 1];
        var qs = new G2Prepared[2 * m + 1];
        var c1 = Gt.One;
        var c3Sum = G1.Identity;
        for (var j = 0; j < m; j++)
        {
            var x = rows[j];
            var (part, index) = held[ct.Matrix.RowAttributes[x].Name];
            ct.GetRow(x, out var rowC1, out var rowC2, out var rowC3, out var rowC4);
            c1 *= rowC1;
            c3Sum += rowC3;
            ps[j] = rowC2;
            qs[j] = part.KPrepared(index);
            ps[m + j] = part.KPrime(index);
            qs[m + j] = new G2Prepared(rowC4);
        }

        ps[2 * m] = c3Sum;
        qs[2 * m] = parts[0].GidPrepared;
        var candidate = c1 * Pairing.MultiPair(ps, qs);
        Array.Clear(qs);
        Array.Clear(ps);
        if (!AbeKdf.CheckTag(candidate, ct.Body, ct.Tag))
        {
            return false;
        }

        key = candidate;
        return true;
    }

    private static Dictionary<string, AuthorityPublicKey> IndexAuthorities(IEnumerable<AuthorityPublicKey> authorities)
    {
        var byId = new Dictionary<string, AuthorityPublicKey>(StringComparer.Ordinal);
        foreach (var pk in authorities)
        {
            ArgumentNullException.ThrowIfNull(pk, nameof(authorities));
            if (byId.TryGetValue(pk.AuthorityId, out var existing))
            {
                if (!existing.Equals(pk))
                {
                    throw new ArgumentException($"Two different public keys claim authority '{pk.AuthorityId}'.", nameof(authorities));
                }

                continue;
            }

            byId.Add(pk.AuthorityId, pk);
        }

        return byId;
    }
}
