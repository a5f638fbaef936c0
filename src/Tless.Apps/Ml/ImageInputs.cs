using Tless.Runtime.Sdk;

namespace Tless.Apps.Ml;

/// <summary>Reads labelled image sets from a function's inputs (IDX files, gzip or not), pairing image and label files.</summary>
internal static class ImageInputs
{
    /// <summary>Names containing one of these mark the held-out (test) split among user inputs.</summary>
    private static readonly string[] HeldOutMarkers = ["t10k", "test"];

    public static bool IsHeldOut(string name) => HeldOutMarkers.Any(m => name.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the image file and the (optional) label file among <paramref name="inputs"/>; the kinds are told
    /// apart by their IDX magic number.</summary>
    public static async ValueTask<ImageSet> ReadAsync(
        IFunctionContext context, IReadOnlyList<FunctionInput> inputs, bool labelsRequired, string what, CancellationToken cancellationToken)
    {
        ImageSet? images = null;
        (FunctionInput Input, byte[] Labels)? labels = null;
        foreach (var input in inputs)
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            var raw = IdxFile.Decompress(data.Span, input.Name);
            var magic = IdxFile.Magic(raw, input.Name);
            if (magic == IdxFile.ImagesMagic)
            {
                images = images is null ? IdxFile.ReadImages(raw, input.Name)
                    : throw new AppDataException(input.Name, 0, $"a second image file for {what}");
            }
            else if (magic == IdxFile.LabelsMagic)
            {
                labels = labels is null ? (input, IdxFile.ReadLabels(raw, input.Name))
                    : throw new AppDataException(input.Name, 0, $"a second label file for {what}");
            }
            else
            {
                throw new AppDataException(input.Name, 0, $"not an IDX image or label file (magic 0x{magic:x8})");
            }
        }

        if (images is null)
        {
            throw new AppDataException(context.Node, 0, $"no IDX image file among the inputs for {what}");
        }

        if (labels is null)
        {
            return labelsRequired ? throw new AppDataException(context.Node, 0, $"no IDX label file among the inputs for {what}") : images;
        }

        return IdxFile.WithLabels(images, labels.Value.Labels, labels.Value.Input.Name);
    }

    public static async ValueTask SendAsync(IFunctionContext context, string node, int index, string prefix, ImageSet set, CancellationToken cancellationToken)
    {
        await context.SendAsync(node, index, prefix + "images", IdxFile.WriteImages(set), cancellationToken).ConfigureAwait(false);
        if (set.Labels is not null)
        {
            await context.SendAsync(node, index, prefix + "labels", IdxFile.WriteLabels(set.Labels), cancellationToken).ConfigureAwait(false);
        }
    }
}
