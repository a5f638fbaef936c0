using System.Text;

namespace Tless.Apps;

/// <summary>Strict UTF-8 decoding that names the input and line of an invalid byte.</summary>
internal static class AppText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="data"/> as UTF-8 (a leading BOM is dropped).</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> data, string input)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            data = data[3..];
        }

        try
        {
            return Strict.GetString(data);
        }
        catch (DecoderFallbackException e)
        {
            throw new AppDataException(input, LineOfFirstInvalidByte(data), "text is not valid UTF-8", e);
        }
    }

    private static int LineOfFirstInvalidByte(ReadOnlySpan<byte> data)
    {
        var line = 1;
        var i = 0;
        while (i < data.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(data[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return line;
            }

            if (rune.Value == '\n')
            {
                line++;
            }

            i += consumed;
        }

        return line;
    }
}
