using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Abe;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Abe;

public sealed class LsssMatrixTests
{
    // Linear algebra over a 61-bit prime field stands in for Fr: the matrices have entries in {-1, 0, 1}, so
    // spans over Q (and over Fr) agree with spans over this field for the small sizes used here.
    private const ulong P = (1UL << 61) - 1;

    [Fact]
    public void FromPolicy_SingleAttribute_IsOneByOne()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("a.b:c"));
        Assert.Equal((1, 1), (m.RowCount, m.ColumnCount));
        Assert.Equal(1, m.GetSmallEntry(0, 0));
    }

    [Fact]
    public void FromPolicy_AndOfThree_HasLewkoWatersRows()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("a.x:1 & a.y:1 & a.z:1"));
        Assert.Equal(3, m.RowCount);
        Assert.Equal(3, m.ColumnCount);
        int[][] expected = [[1, 1, 0], [0, -1, 1], [0, 0, -1]];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(expected[i][j], m.GetSmallEntry(i, j));
            }
        }
    }

    [Fact]
    public void FromPolicy_Or_RowsCopyParentVector()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("a.x:1 | a.y:1"));
        Assert.Equal((2, 1), (m.RowCount, m.ColumnCount));
        Assert.Equal(1, m.GetSmallEntry(1, 0));
        Assert.Equal(["a.x:1", "a.y:1"], m.RowAttributes.Select(a => a.Name));
    }

    [Fact]
    public void TryFindCheapestRows_PrefersSmallerBranch()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("a.x:1 & a.y:1 & a.z:1 | b.x:1 | a.x:1 & b.y:1"));
        var all = new HashSet<string> { "a.x:1", "a.y:1", "a.z:1", "b.x:1", "b.y:1" };
        Assert.True(m.TryFindCheapestRows(all, out var rows));
        Assert.Equal([3], rows);
        all.Remove("b.x:1");
        Assert.True(m.TryFindCheapestRows(all, out rows));
        Assert.Equal([4, 5], rows);
    }

    [Fact]
    public void TryReconstruct_FieldCoefficients_RecombineSharesToSecret()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("(a.x:1 | b.x:1) & a.y:1 & (b.y:1 | a.z:1 & b.z:1)"));
        Assert.True(m.TryReconstruct(new HashSet<string> { "b.x:1", "a.y:1", "a.z:1", "b.z:1" }, out var rows));
        var v = Enumerable.Range(0, m.ColumnCount).Select(_ => Scalar.Random()).ToArray();
        var shares = m.Share(v);
        var secret = Scalar.Zero;
        foreach (var (row, c) in rows)
        {
            secret += c * shares[row];
            for (var j = 0; j < m.ColumnCount; j++)
            {
                Assert.Equal(m.GetSmallEntry(row, j) switch { 1 => Scalar.One, -1 => -Scalar.One, _ => Scalar.Zero }, m[row, j]);
            }
        }

        Assert.Equal(v[0], secret);
        Assert.Equal(4, rows.Length);
        Assert.Throws<ArgumentException>(() => m.Share(v.AsSpan(1)));
    }

    [Fact]
    public void TryFindCheapestRows_Unsatisfied_ReturnsFalse()
    {
        var m = LsssMatrix.FromPolicy(Policy.Parse("a.x:1 & (a.y:1 | b.y:1)"));
        Assert.False(m.TryFindCheapestRows(new HashSet<string> { "a.y:1", "b.y:1" }, out var rows));
        Assert.True(rows.IsEmpty);
    }

    [Fact]
    public void FromPolicy_TooManyLiterals_Throws()
    {
        var big = Policy.Or(Enumerable.Range(0, LsssMatrix.MaxRows + 1).Select(i => (Policy)Policy.Attribute("a", "x", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Throws<ArgumentException>(() => LsssMatrix.FromPolicy(big));
    }

    [Property(Arbitrary = [typeof(PolicyGenerators)], MaxTest = 300)]
    public bool TryFindCheapestRows_SucceedsExactlyWhenSatisfied_AndRowsSumToTarget(Policy policy, HashSet<string> held)
    {
        var m = LsssMatrix.FromPolicy(policy);
        var ok = m.TryFindCheapestRows(held, out var rows);
        if (ok != policy.IsSatisfiedBy(held))
        {
            return false;
        }

        if (!ok)
        {
            return true;
        }

        // coefficients are all 1: the chosen rows must sum to (1, 0, ..., 0) and use only held attributes
        var sum = new long[m.ColumnCount];
        foreach (var r in rows)
        {
            for (var j = 0; j < m.ColumnCount; j++)
            {
                sum[j] += m.GetSmallEntry(r, j);
            }
        }

        return rows.All(r => held.Contains(m.RowAttributes[r].Name))
            && sum[0] == 1 && sum.Skip(1).All(s => s == 0)
            && IsMinimal(policy, rows, m);
    }

    [Property(Arbitrary = [typeof(PolicyGenerators)], MaxTest = 300)]
    public bool Span_ContainsTargetExactlyWhenSatisfied(Policy policy, HashSet<string> held)
    {
        // The LSSS security property: rows of an unauthorised set do not span (1, 0, ..., 0).
        var m = LsssMatrix.FromPolicy(policy);
        var rows = Enumerable.Range(0, m.RowCount).Where(r => held.Contains(m.RowAttributes[r].Name)).ToList();
        return InSpan(m, rows) == policy.IsSatisfiedBy(held);
    }

    [Property(Arbitrary = [typeof(PolicyGenerators)], MaxTest = 100)]
    public bool Entries_AreSmall(Policy policy)
    {
        var m = LsssMatrix.FromPolicy(policy);
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < m.ColumnCount; j++)
            {
                if (Math.Abs(m.GetSmallEntry(i, j)) > 1)
                {
                    return false;
                }
            }
        }

        return m.RowCount == policy.GetAttributes().Length;
    }

    private static bool IsMinimal(Policy policy, IReadOnlyList<int> rows, LsssMatrix m)
    {
        // dropping any chosen row (its attribute occurrence) must break reconstruction over the chosen set
        foreach (var drop in rows)
        {
            var rest = rows.Where(r => r != drop).ToList();
            if (InSpan(m, rest))
            {
                return false;
            }
        }

        return true;
    }

    private static bool InSpan(LsssMatrix m, IReadOnlyList<int> rows)
    {
        // Is e1 in the row span? Solve by Gaussian elimination on the transposed system [M_rows^T | e1].
        var cols = m.ColumnCount;
        var n = rows.Count;
        var a = new ulong[cols][];
        for (var j = 0; j < cols; j++)
        {
            a[j] = new ulong[n + 1];
            for (var i = 0; i < n; i++)
            {
                a[j][i] = ToField(m.GetSmallEntry(rows[i], j));
            }

            a[j][n] = j == 0 ? 1UL : 0UL;
        }

        var pivotRow = 0;
        for (var c = 0; c < n && pivotRow < cols; c++)
        {
            var p = Array.FindIndex(a, pivotRow, r => r[c] != 0);
            if (p < 0)
            {
                continue;
            }

            (a[p], a[pivotRow]) = (a[pivotRow], a[p]);
            var inv = Pow(a[pivotRow][c], P - 2);
            for (var k = 0; k <= n; k++)
            {
                a[pivotRow][k] = Mul(a[pivotRow][k], inv);
            }

            for (var r = 0; r < cols; r++)
            {
                if (r != pivotRow && a[r][c] != 0)
                {
                    var f = a[r][c];
                    for (var k = 0; k <= n; k++)
                    {
                        a[r][k] = Sub(a[r][k], Mul(f, a[pivotRow][k]));
                    }
                }
            }

            pivotRow++;
        }

        // inconsistent iff some row is all-zero on the left with a non-zero right side
        return !a.Any(r => r.Take(n).All(v => v == 0) && r[n] != 0);
    }

    private static ulong ToField(int v) => v >= 0 ? (ulong)v : P - (ulong)(-v);

    private static ulong Mul(ulong x, ulong y) => (ulong)((UInt128)x * y % P);

    private static ulong Sub(ulong x, ulong y) => x >= y ? x - y : x + P - y;

    private static ulong Pow(ulong b, ulong e)
    {
        var r = 1UL;
        while (e > 0)
        {
            if ((e & 1) == 1)
            {
                r = Mul(r, b);
            }

            b = Mul(b, b);
            e >>= 1;
        }

        return r;
    }
}
