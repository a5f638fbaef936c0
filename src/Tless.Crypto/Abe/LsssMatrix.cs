using System.Collections.Immutable;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// The linear secret-sharing scheme (monotone span program) of a policy, built with the Lewko-Waters algorithm:
/// one row per attribute literal (in left-to-right order), entries in {-1, 0, 1} ⊂ Fr, target vector (1, 0, ..., 0).
/// </summary>
/// <remarks>
/// A set of rows reconstructs the secret exactly when its attributes satisfy the policy. For a minimal satisfying set
/// (one child per OR, all children per AND) the reconstruction coefficients of the Lewko-Waters matrix are all 1.
/// </remarks>
public sealed class LsssMatrix
{
    /// <summary>The largest number of attribute literals a policy may have (rows of the matrix).</summary>
    public const int MaxRows = 4096;

    private readonly sbyte[][] _rows;

    private LsssMatrix(Policy policy, ImmutableArray<PolicyAttribute> attributes, sbyte[][] rows, int columns)
    {
        Policy = policy;
        RowAttributes = attributes;
        _rows = rows;
        ColumnCount = columns;
    }

    /// <summary>The policy this matrix shares over.</summary>
    public Policy Policy { get; }

    /// <summary>The label ρ(i) of each row i.</summary>
    public ImmutableArray<PolicyAttribute> RowAttributes { get; }

    /// <summary>Number of rows (attribute literals).</summary>
    public int RowCount => _rows.Length;

    /// <summary>Number of columns (1 + the number of extra columns the AND gates introduce).</summary>
    public int ColumnCount { get; }

    /// <summary>The entry M[row, column] as a field element.</summary>
    public Scalar this[int row, int column] => GetSmallEntry(row, column) switch
    {
        0 => Scalar.Zero,
        1 => Scalar.One,
        _ => -Scalar.One,
    };

    /// <summary>The entry M[row, column] as an integer in {-1, 0, 1}.</summary>
    public int GetSmallEntry(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
        var r = _rows[row];
        return column < r.Length ? r[column] : 0;
    }

    /// <summary>Builds the matrix of a policy (Lewko-Waters, n-ary gates).</summary>
    public static LsssMatrix FromPolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var attributes = policy.GetAttributes();
        if (attributes.Length > MaxRows)
        {
            throw new ArgumentException($"The policy has {attributes.Length} attribute literals; at most {MaxRows} are supported.", nameof(policy));
        }

        var rows = new List<sbyte[]>(attributes.Length);
        var columns = 1;
        Build(policy, [1], rows, ref columns);
        return new LsssMatrix(policy, attributes, [.. rows], columns);
    }

    private static void Build(Policy node, sbyte[] vector, List<sbyte[]> rows, ref int columns)
    {
        switch (node)
        {
            case PolicyAttribute:
                rows.Add(vector);
                break;
            case PolicyOr or:
                foreach (var child in or.Children)
                {
                    Build(child, vector, rows, ref columns);
                }

                break;
            case PolicyAnd and:
                // k children share v: with fresh columns c+1..c+k-1, child 1 gets v + e_{c+1}, child i gets
                // e_{c+i} - e_{c+i-1}, the last child gets -e_{c+k-1}; the children's vectors sum to v.
                var k = and.Children.Length;
                var first = columns;
                columns += k - 1;
                for (var i = 0; i < k; i++)
                {
                    var width = first + Math.Min(i + 1, k - 1);
                    var v = new sbyte[width];
                    if (i == 0)
                    {
                        vector.CopyTo(v, 0);
                    }

                    if (i < k - 1)
                    {
                        v[first + i] = 1;
                    }

                    if (i > 0)
                    {
                        v[first + i - 1] = -1;
                    }

                    Build(and.Children[i], v, rows, ref columns);
                }

                break;
            default:
                throw new InvalidOperationException("unknown policy node");
        }
    }

    /// <summary>
    /// Finds the cheapest (fewest rows) set of rows whose attributes are all in <paramref name="attributeNames"/> and
    /// that reconstructs the secret, with the coefficients c_i such that Σ c_i·M_i = (1, 0, ..., 0).
    /// </summary>
    /// <returns>false when the attributes do not satisfy the policy.</returns>
    public bool TryReconstruct(IReadOnlySet<string> attributeNames, out ImmutableArray<(int Row, Scalar Coefficient)> rows)
    {
        ArgumentNullException.ThrowIfNull(attributeNames);
        if (!TryFindCheapestRows(attributeNames, out var indices))
        {
            rows = [];
            return false;
        }

        rows = [.. indices.Select(i => (i, Scalar.One))];
        return true;
    }

    /// <summary>The row indices of a cheapest satisfying set (coefficients all 1), without field arithmetic.</summary>
    public bool TryFindCheapestRows(IReadOnlySet<string> attributeNames, out ImmutableArray<int> rows)
    {
        ArgumentNullException.ThrowIfNull(attributeNames);
        var next = 0;
        var result = Cheapest(Policy, attributeNames, ref next);
        if (result is null)
        {
            rows = [];
            return false;
        }

        result.Sort();
        rows = [.. result];
        return true;
    }

    // Returns the cheapest row set for the node, or null when unsatisfiable; 'next' walks leaves in row order.
    private static List<int>? Cheapest(Policy node, IReadOnlySet<string> names, ref int next)
    {
        switch (node)
        {
            case PolicyAttribute a:
                var row = next++;
                return names.Contains(a.Name) ? [row] : null;
            case PolicyAnd and:
                List<int>? all = [];
                foreach (var child in and.Children)
                {
                    var c = Cheapest(child, names, ref next);
                    if (c is null || all is null)
                    {
                        all = null;
                        continue;
                    }

                    all.AddRange(c);
                }

                return all;
            case PolicyOr or:
                List<int>? best = null;
                foreach (var child in or.Children)
                {
                    var c = Cheapest(child, names, ref next);
                    if (c is not null && (best is null || c.Count < best.Count))
                    {
                        best = c;
                    }
                }

                return best;
            default:
                throw new InvalidOperationException("unknown policy node");
        }
    }

    /// <summary>
    /// Computes the shares M·v for v = (v_0, v_1, ..., v_{cols-1}); the secret is v_0. Entries are ±1/0, so this is
    /// additions only.
    /// </summary>
    public Scalar[] Share(ReadOnlySpan<Scalar> vector)
    {
        if (vector.Length != ColumnCount)
        {
            throw new ArgumentException($"The vector has {vector.Length} entries; the matrix has {ColumnCount} columns.", nameof(vector));
        }

        var shares = new Scalar[RowCount];
        for (var i = 0; i < RowCount; i++)
        {
            var r = _rows[i];
            var acc = Scalar.Zero;
            for (var j = 0; j < r.Length; j++)
            {
                if (r[j] == 1)
                {
                    acc += vector[j];
                }
                else if (r[j] == -1)
                {
                    acc -= vector[j];
                }
            }

            shares[i] = acc;
        }

        return shares;
    }
}
