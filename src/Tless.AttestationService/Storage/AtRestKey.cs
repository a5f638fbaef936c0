using System.Security.Cryptography;
using System.Text;

namespace Tless.AttestationService.Storage;

/// <summary>
/// The AES-256-GCM key that protects the authority's secrets in its database. Taken from (first match):
/// the in-process option, the environment variable <c>TLESS_AS_KEY</c> (base64 of 32 bytes), or the file
/// <c>{data}/as.key</c> (base64, mode 0600), which is created only for a fresh database.
/// </summary>
internal sealed class AtRestKey : IDisposable
{
    public const string EnvironmentVariable = "TLESS_AS_KEY";
    public const string FileName = "as.key";
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly byte[] key;

    private AtRestKey(byte[] key, string source)
    {
        this.key = key;
        Source = source;
    }

    public string Source { get; }

    public static AtRestKey Load(string dataDirectory, ReadOnlySpan<byte> explicitKey, bool allowCreate)
    {
        if (!explicitKey.IsEmpty)
        {
            return new AtRestKey(explicitKey.ToArray(), "the in-process option");
        }

        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            return new AtRestKey(Decode(env, $"the environment variable {EnvironmentVariable}"), EnvironmentVariable);
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                {
                    throw new AuthorityStoreException($"The key file {path} is readable or writable by group/others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it.");
                }
            }

            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.ASCII);
            }
            catch (IOException e)
            {
                throw new AuthorityStoreException($"The key file {path} cannot be read: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new AuthorityStoreException($"The key file {path} cannot be read: {e.Message}", e);
            }

            return new AtRestKey(Decode(text.Trim(), $"the key file {path}"), path);
        }

        if (!allowCreate)
        {
            throw new AuthorityStoreException(
                $"The database holds encrypted keys but neither {EnvironmentVariable} nor {path} is there to decrypt them.");
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        return new AtRestKey(fresh, path);
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var blob = new byte[NonceLength + TagLength + plaintext.Length];
        var nonce = blob.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, blob.AsSpan(NonceLength + TagLength), blob.AsSpan(NonceLength, TagLength), Encoding.UTF8.GetBytes(associatedData));
        return blob;
    }

    public byte[] Decrypt(ReadOnlySpan<byte> blob, string associatedData, string what)
    {
        if (blob.Length < NonceLength + TagLength)
        {
            throw new AuthorityStoreException($"The stored {what} is truncated ({blob.Length} bytes).");
        }

        var plaintext = new byte[blob.Length - NonceLength - TagLength];
        try
        {
            using var gcm = new AesGcm(key, TagLength);
            gcm.Decrypt(blob[..NonceLength], blob[(NonceLength + TagLength)..], blob.Slice(NonceLength, TagLength), plaintext, Encoding.UTF8.GetBytes(associatedData));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new AuthorityStoreException($"The stored {what} does not decrypt with the key from {Source}: wrong key, or the database was modified.", e);
        }

        return plaintext;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(key);

    private static byte[] Decode(string base64, string where)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new AuthorityStoreException($"{where} is not base64.", e);
        }

        return bytes.Length == 32 ? bytes : throw new AuthorityStoreException($"{where} must hold 32 bytes (base64), got {bytes.Length}.");
    }
}
