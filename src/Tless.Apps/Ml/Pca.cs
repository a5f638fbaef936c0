using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using SimdVector = System.Numerics.Vector<double>;

namespace Tless.Apps.Ml;

/// <summary>
/// Exact moment statistics of a shard of images (pixels scaled to [0, 1]): count, mean and the scatter matrix
/// sum((x - mean)(x - mean)^T). Shards combine exactly (Chan et al.'s pairwise update), so the covariance of the union
/// of P shards is the covariance of all the data: this is how the P PCA nodes of ml-training combine.
/// </summary>
public sealed record PcaMoments
{
    private static ReadOnlySpan<byte> Header => "TLPM1"u8;

    public required long Count { get; init; }

    public required double[] Mean { get; init; }

    /// <summary>Row-major d x d scatter matrix (symmetric).</summary>
    public required double[] Scatter { get; init; }

    public int Dimensions => Mean.Length;

    /// <summary>The moments of <paramref name="images"/>.</summary>
    public static PcaMoments Compute(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var d = images.PixelsPerImage;
        var mean = new double[d];
        for (var i = 0; i < images.Count; i++)
        {
            var image = images.Image(i);
            for (var j = 0; j < d; j++)
            {
                mean[j] += image[j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] = images.Count == 0 ? 0 : mean[j] / images.Count / 255.0;
        }

        // Column-major centered data, so that each scatter entry is one contiguous dot product.
        var n = images.Count;
        var columns = new double[d * n];
        for (var i = 0; i < n; i++)
        {
            var image = images.Image(i);
            for (var j = 0; j < d; j++)
            {
                columns[(j * n) + i] = (image[j] / 255.0) - mean[j];
            }
        }

        var scatter = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            var left = columns.AsSpan(a * n, n);
            for (var b = a; b < d; b++)
            {
                scatter[(a * d) + b] = scatter[(b * d) + a] = Dot(left, columns.AsSpan(b * n, n));
            }
        }

        return new PcaMoments { Count = n, Mean = mean, Scatter = scatter };
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var vx = MemoryMarshal.Cast<double, SimdVector>(x);
        var vy = MemoryMarshal.Cast<double, SimdVector>(y);
        var acc = SimdVector.Zero;
        for (var i = 0; i < vx.Length; i++)
        {
            acc += vx[i] * vy[i];
        }

        var sum = System.Numerics.Vector.Sum(acc);
        for (var i = vx.Length * SimdVector.Count; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>Combines moments of disjoint shards, in the given order (the result is the same up to rounding in
    /// any order; callers that need bit-identical results across nodes use a fixed order).</summary>
    public static PcaMoments Merge(IEnumerable<PcaMoments> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        PcaMoments? total = null;
        foreach (var part in parts)
        {
            if (total is null)
            {
                total = part;
                continue;
            }

            if (part.Dimensions != total.Dimensions)
            {
                throw new ArgumentException($"moments of {part.Dimensions} and {total.Dimensions} dimensions cannot be merged", nameof(parts));
            }

            total = Merge(total, part);
        }

        return total ?? throw new ArgumentException("no moments to merge", nameof(parts));
    }

    public byte[] Serialize()
    {
        var d = Dimensions;
        var triangle = d * (d + 1) / 2;
        var bytes = new byte[Header.Length + 8 + 4 + ((d + triangle) * 8)];
        Header.CopyTo(bytes);
        var span = bytes.AsSpan(Header.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span, Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], d);
        span = span[12..];
        foreach (var m in Mean)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span, m);
            span = span[8..];
        }

        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(span, Scatter[(i * d) + j]);
                span = span[8..];
            }
        }

        return bytes;
    }

    public static PcaMoments Deserialize(ReadOnlySpan<byte> data, string input)
    {
        if (data.Length < Header.Length + 12 || !data.StartsWith(Header))
        {
            throw new AppDataException(input, 0, "not a PCA moments message");
        }

        var span = data[Header.Length..];
        var count = BinaryPrimitives.ReadInt64LittleEndian(span);
        var d = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        span = span[12..];
        if (count < 0 || d <= 0 || d > 1 << 14 || span.Length != ((long)d + ((long)d * (d + 1) / 2)) * 8)
        {
            throw new AppDataException(input, 0, $"PCA moments message has bad size (count {count}, dimensions {d}, {span.Length} bytes)");
        }

        var mean = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = BinaryPrimitives.ReadDoubleLittleEndian(span);
            span = span[8..];
        }

        var scatter = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                scatter[(i * d) + j] = scatter[(j * d) + i] = BinaryPrimitives.ReadDoubleLittleEndian(span);
                span = span[8..];
            }
        }

        return new PcaMoments { Count = count, Mean = mean, Scatter = scatter };
    }

    private static PcaMoments Merge(PcaMoments a, PcaMoments b)
    {
        if (a.Count == 0)
        {
            return b;
        }

        if (b.Count == 0)
        {
            return a;
        }

        var d = a.Dimensions;
        long n = a.Count + b.Count;
        var delta = new double[d];
        var mean = new double[d];
        for (var j = 0; j < d; j++)
        {
            delta[j] = b.Mean[j] - a.Mean[j];
            mean[j] = a.Mean[j] + (delta[j] * b.Count / n);
        }

        var factor = (double)a.Count * b.Count / n;
        var scatter = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var k = (i * d) + j;
                scatter[k] = a.Scatter[k] + b.Scatter[k] + (delta[i] * delta[j] * factor);
            }
        }

        return new PcaMoments { Count = n, Mean = mean, Scatter = scatter };
    }
}

/// <summary>A fitted PCA: the data mean and the top principal axes (unit vectors, sign fixed so that each axis's
/// largest-magnitude coordinate is positive), with the variance each explains.</summary>
public sealed record PcaProjection
{
    public required int Dimensions { get; init; }

    public required int Components { get; init; }

    public required double[] Mean { get; init; }

    /// <summary>Row-major Components x Dimensions.</summary>
    public required double[] Basis { get; init; }

    public required double[] ExplainedVariance { get; init; }

    /// <summary>The total variance (trace of the covariance), to judge how much the components explain.</summary>
    public required double TotalVariance { get; init; }

    /// <summary>Fits the top <paramref name="components"/> axes of the covariance given by <paramref name="moments"/>.</summary>
    public static PcaProjection Fit(PcaMoments moments, int components)
    {
        ArgumentNullException.ThrowIfNull(moments);
        var d = moments.Dimensions;
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(components, d);
        if (moments.Count < 2)
        {
            throw new ArgumentException("PCA needs at least two images", nameof(moments));
        }

        var covariance = Matrix<double>.Build.Dense(d, d, (i, j) => moments.Scatter[(i * d) + j] / (moments.Count - 1));
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ThenBy(i => i).Take(components).ToArray();
        var basis = new double[components * d];
        for (var c = 0; c < components; c++)
        {
            var axis = evd.EigenVectors.Column(order[c]);
            var largest = axis.AbsoluteMaximumIndex();
            var sign = axis[largest] < 0 ? -1.0 : 1.0;
            for (var j = 0; j < d; j++)
            {
                basis[(c * d) + j] = sign * axis[j];
            }
        }

        return new PcaProjection
        {
            Dimensions = d,
            Components = components,
            Mean = (double[])moments.Mean.Clone(),
            Basis = basis,
            ExplainedVariance = order.Select(i => values[i]).ToArray(),
            TotalVariance = Enumerable.Range(0, d).Sum(i => covariance[i, i]),
        };
    }

    /// <summary>Projects every image: Count x Components features, row-major.</summary>
    public float[] Project(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.PixelsPerImage != Dimensions)
        {
            throw new ArgumentException($"images have {images.PixelsPerImage} pixels, the projection expects {Dimensions}", nameof(images));
        }

        var features = new float[images.Count * Components];
        var centered = new double[Dimensions];
        for (var i = 0; i < images.Count; i++)
        {
            var image = images.Image(i);
            for (var j = 0; j < Dimensions; j++)
            {
                centered[j] = (image[j] / 255.0) - Mean[j];
            }

            for (var c = 0; c < Components; c++)
            {
                var axis = Basis.AsSpan(c * Dimensions, Dimensions);
                var sum = 0.0;
                for (var j = 0; j < Dimensions; j++)
                {
                    sum += axis[j] * centered[j];
                }

                features[(i * Components) + c] = (float)sum;
            }
        }

        return features;
    }

    /// <summary>Checks the shapes (for projections read from outside).</summary>
    public void Validate(string input)
    {
        if (Dimensions <= 0 || Components <= 0 || Components > Dimensions || Mean is null || Basis is null || ExplainedVariance is null
            || Mean.Length != Dimensions || Basis.Length != (long)Components * Dimensions || ExplainedVariance.Length != Components
            || Mean.Concat(Basis).Any(v => !double.IsFinite(v)) || !(TotalVariance > 0))
        {
            throw new AppDataException(input, 0, $"inconsistent PCA projection ({Components} components of {Dimensions} dimensions)");
        }
    }
}
