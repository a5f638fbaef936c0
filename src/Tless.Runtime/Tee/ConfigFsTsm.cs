using System.Globalization;

namespace Tless.Runtime.Tee;

/// <summary>What one configfs-tsm report entry produced.</summary>
internal sealed record TsmReport(byte[] OutBlob, byte[]? AuxBlob, string Provider);

/// <summary>
/// The Linux configfs-tsm report interface (Documentation/ABI/testing/configfs-tsm, Linux 6.7+): a report is requested
/// by creating an entry under <c>/sys/kernel/config/tsm/report</c>, writing <c>inblob</c> (the 64 bytes of report
/// data) and optionally <c>privlevel</c>, then reading <c>outblob</c> (the SNP report or the TDX quote) and, where the
/// provider offers it, <c>auxblob</c> (SNP: the certificate table). Every write bumps <c>generation</c>; a generation
/// other than the one our own writes produced means another writer used the entry between our write and our read, so
/// the request is repeated (at most <see cref="MaxAttempts"/> times). The entry is removed afterwards.
/// </summary>
internal sealed class ConfigFsTsm
{
    /// <summary>Where configfs-tsm lives when configfs is mounted at its usual place.</summary>
    public const string DefaultRoot = "/sys/kernel/config/tsm/report";

    public const int MaxAttempts = 3;

    private readonly ITeeFileSystem fs;

    public ConfigFsTsm(ITeeFileSystem fs, string root, string expectedProvider)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(expectedProvider);
        this.fs = fs;
        Root = root;
        ExpectedProvider = expectedProvider;
    }

    public string Root { get; }

    /// <summary>The provider name the kernel must report (<c>sev_guest</c>, <c>tdx_guest</c>).</summary>
    public string ExpectedProvider { get; }

    /// <summary>True when the configfs-tsm report directory exists.</summary>
    public bool IsAvailable => fs.DirectoryExists(Root);

    /// <summary>Requests one report; throws <see cref="TeeException"/> saying what went wrong.</summary>
    public TsmReport GetReport(ReadOnlySpan<byte> inBlob, int? privilegeLevel)
    {
        if (!IsAvailable)
        {
            throw new TeeException(
                $"configfs-tsm is not available: {Root} does not exist (needs Linux 6.7+ in a confidential guest with configfs mounted at /sys/kernel/config)");
        }

        var entry = Root.TrimEnd('/') + "/tless-" + Guid.NewGuid().ToString("N");
        TeeFiles.Io("create the configfs-tsm report entry", entry, () => fs.CreateDirectory(entry));
        try
        {
            var provider = TeeFiles.Io("read", entry + "/provider", () => TeeFiles.ReadText(fs, entry + "/provider"));
            if (provider != ExpectedProvider)
            {
                throw new TeeException(
                    $"configfs-tsm provider is '{provider}', not '{ExpectedProvider}': this guest's TEE is not the one asked for");
            }

            var inBlobCopy = inBlob.ToArray();
            for (var attempt = 1; ; attempt++)
            {
                var before = ReadGeneration(entry);
                TeeFiles.Io("write", entry + "/inblob", () => fs.WriteFile(entry + "/inblob", inBlobCopy));
                var writes = 1UL;
                if (privilegeLevel is { } level)
                {
                    var text = level.ToString(CultureInfo.InvariantCulture) + "\n";
                    TeeFiles.Io("write", entry + "/privlevel", () => fs.WriteFile(entry + "/privlevel", System.Text.Encoding.ASCII.GetBytes(text)));
                    writes++;
                }

                var outBlob = TeeFiles.Io("read", entry + "/outblob", () => fs.ReadFile(entry + "/outblob"));
                byte[]? auxBlob = null;
                if (fs.FileExists(entry + "/auxblob"))
                {
                    auxBlob = TeeFiles.Io("read", entry + "/auxblob", () => fs.ReadFile(entry + "/auxblob"));
                }

                var after = ReadGeneration(entry);
                if (after == before + writes)
                {
                    if (outBlob.Length == 0)
                    {
                        throw new TeeException($"configfs-tsm returned an empty outblob from {entry}");
                    }

                    return new TsmReport(outBlob, auxBlob is { Length: > 0 } ? auxBlob : null, provider);
                }

                if (attempt == MaxAttempts)
                {
                    throw new TeeException(
                        $"configfs-tsm report entry {entry} was written by someone else during each of {MaxAttempts} attempts " +
                        $"(generation {before} + {writes} writes, then {after}); giving up");
                }
            }
        }
        finally
        {
            try
            {
                fs.DeleteDirectory(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover entry holds no secret (the report is public evidence).
            }
        }
    }

    private ulong ReadGeneration(string entry)
    {
        var text = TeeFiles.Io("read", entry + "/generation", () => TeeFiles.ReadText(fs, entry + "/generation"));
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : throw new TeeException($"configfs-tsm {entry}/generation holds '{text}', not a number");
    }
}
