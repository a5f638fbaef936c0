using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tless.Runtime.Hosting;

/// <summary>
/// The symmetric sealing of mode tee and the associated data of every mode. Associated data binds an object to its
/// key, its workflow and the node meant to read it:
/// <code>AD = "tless/object/v1" || u16be(len) || object key || u16be(len) || workflow || u16be(len) || reader node</code>
/// (UTF-8; the reader is <c>user</c> for results and logs). A tee-mode object is
/// <c>"TLT1" || nonce(12) || tag(16) || AES-256-GCM ciphertext</c>.
/// </summary>
public static class ObjectSealing
{
    /// <summary>The reader name used for objects sealed for the workflow's owner.</summary>
    public const string OwnerReader = "user";

    private static readonly byte[] TeeMagic = "TLT1"u8.ToArray();
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The associated data for <paramref name="objectKey"/> read by <paramref name="readerNode"/> in <paramref name="workflow"/>.</summary>
    public static byte[] AssociatedData(string objectKey, string workflow, string readerNode)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectKey);
        ArgumentException.ThrowIfNullOrEmpty(workflow);
        ArgumentException.ThrowIfNullOrEmpty(readerNode);
        var parts = new[] { "tless/object/v1", objectKey, workflow, readerNode }.Select(Encoding.UTF8.GetBytes).ToArray();
        var result = new byte[parts[0].Length + parts.Skip(1).Sum(p => 2 + p.Length)];
        parts[0].CopyTo(result, 0);
        var offset = parts[0].Length;
        foreach (var part in parts.Skip(1))
        {
            if (part.Length > ushort.MaxValue)
            {
                throw new ArgumentException("an associated-data field is longer than 65535 bytes");
            }

            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(offset), (ushort)part.Length);
            part.CopyTo(result, offset + 2);
            offset += 2 + part.Length;
        }

        return result;
    }

    /// <summary>Seals with the 32-byte workflow key (mode tee).</summary>
    public static byte[] TeeSeal(ReadOnlySpan<byte> workflowKey, string objectKey, string workflow, string readerNode, ReadOnlySpan<byte> plaintext)
    {
        CheckKey(workflowKey);
        var output = new byte[TeeMagic.Length + NonceSize + TagSize + plaintext.Length];
        TeeMagic.CopyTo(output, 0);
        var nonce = output.AsSpan(TeeMagic.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(workflowKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(TeeMagic.Length + NonceSize + TagSize), output.AsSpan(TeeMagic.Length + NonceSize, TagSize),
            AssociatedData(objectKey, workflow, readerNode));
        return output;
    }

    /// <summary>Opens a tee-mode object; false when it is malformed, tampered, moved, or sealed with another key.</summary>
    public static bool TryTeeOpen(ReadOnlySpan<byte> workflowKey, string objectKey, string workflow, string readerNode, ReadOnlySpan<byte> stored, out byte[] plaintext)
    {
        CheckKey(workflowKey);
        plaintext = [];
        var header = TeeMagic.Length + NonceSize + TagSize;
        if (stored.Length < header || !stored[..TeeMagic.Length].SequenceEqual(TeeMagic))
        {
            return false;
        }

        var output = new byte[stored.Length - header];
        using var aes = new AesGcm(workflowKey, TagSize);
        try
        {
            aes.Decrypt(stored.Slice(TeeMagic.Length, NonceSize), stored[header..], stored.Slice(TeeMagic.Length + NonceSize, TagSize), output,
                AssociatedData(objectKey, workflow, readerNode));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = output;
        return true;
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException($"the workflow key must be 32 bytes, got {key.Length}", nameof(key));
        }
    }
}
