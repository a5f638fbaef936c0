using System.Collections.Immutable;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>AMD processor generations whose SEV-SNP evidence TLess verifies.</summary>
public enum SnpProduct
{
    /// <summary>Not known from the report alone (version 2 reports carry no CPUID).</summary>
    Unknown,

    /// <summary>EPYC 7003 (Zen 3).</summary>
    Milan,

    /// <summary>EPYC 9004 (Zen 4).</summary>
    Genoa,

    /// <summary>EPYC 9005 (Zen 5); its TCB_VERSION layout differs (adds FMC).</summary>
    Turin,
}

/// <summary>Which key signed a report (ATTESTATION_REPORT.SIGNING_KEY).</summary>
public enum SnpSigningKey
{
    /// <summary>Versioned Chip Endorsement Key: per chip and TCB.</summary>
    Vcek = 0,

    /// <summary>Versioned Loaded Endorsement Key: per cloud provider, loaded into the firmware.</summary>
    Vlek = 1,

    /// <summary>The report is not signed.</summary>
    None = 7,
}

/// <summary>A decoded TCB_VERSION (security patch levels). The byte layout depends on the product.</summary>
public readonly record struct SnpTcb(ulong Raw, SnpProduct Product)
{
    public byte Fmc => Product == SnpProduct.Turin ? (byte)Raw : (byte)0;

    public byte Bootloader => (byte)(Raw >> (Product == SnpProduct.Turin ? 8 : 0));

    public byte Tee => (byte)(Raw >> (Product == SnpProduct.Turin ? 16 : 8));

    public byte Snp => (byte)(Raw >> (Product == SnpProduct.Turin ? 24 : 48));

    public byte Microcode => (byte)(Raw >> 56);

    /// <summary>For example "bl=3 tee=0 snp=8 ucode=115" (Turin adds "fmc=").</summary>
    public override string ToString() => Product == SnpProduct.Turin
        ? $"fmc={Fmc} bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}"
        : $"bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}";
}

/// <summary>The lowest acceptable SEV-SNP TCB (security patch levels); <see cref="Fmc"/> counts on Turin only.</summary>
public sealed record SnpTcbFloor(int Bootloader, int Tee, int Snp, int Microcode, int Fmc = 0)
{
    /// <summary>True when every component of <paramref name="tcb"/> is at least the floor's.</summary>
    public bool IsMetBy(SnpTcb tcb) =>
        tcb.Bootloader >= Bootloader && tcb.Tee >= Tee && tcb.Snp >= Snp && tcb.Microcode >= Microcode &&
        (tcb.Product != SnpProduct.Turin || tcb.Fmc >= Fmc);

    public override string ToString() => $"bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}" + (Fmc != 0 ? $" fmc={Fmc}" : string.Empty);

    /// <summary>Parses the notation of <see cref="ToString"/> ("bl=3 tee=0 snp=8 ucode=115", optional "fmc=N"); throws <see cref="ArgumentException"/>.</summary>
    public static SnpTcbFloor Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=');
            if (kv.Length != 2 || kv[0] is not ("bl" or "tee" or "snp" or "ucode" or "fmc") ||
                !int.TryParse(kv[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) || v > 255 ||
                !values.TryAdd(kv[0], v))
            {
                throw new ArgumentException($"bad TCB component '{part}' in '{text}' (expected bl=N tee=N snp=N ucode=N [fmc=N], N in 0..255, each once)", nameof(text));
            }
        }

        foreach (var required in new[] { "bl", "tee", "snp", "ucode" })
        {
            if (!values.ContainsKey(required))
            {
                throw new ArgumentException($"TCB '{text}' lacks {required}=N", nameof(text));
            }
        }

        return new SnpTcbFloor(values["bl"], values["tee"], values["snp"], values["ucode"], values.GetValueOrDefault("fmc"));
    }
}

/// <summary>
/// An SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP firmware ABI, pub. 56860), versions 2 to 5: exactly 1184 bytes,
/// little-endian, signed over bytes 0x000..0x29F with ECDSA P-384/SHA-384 (r and s 72-byte little-endian at 0x2A0).
/// </summary>
public sealed record SnpReport
{
    /// <summary>Size of every report.</summary>
    public const int Size = 0x4A0;

    /// <summary>Number of leading bytes covered by the signature.</summary>
    public const int SignedSize = 0x2A0;

    public const ulong PolicySmtBit = 1UL << 16;
    public const ulong PolicyMigrateMaBit = 1UL << 18;
    public const ulong PolicyDebugBit = 1UL << 19;
    public const ulong PolicySingleSocketBit = 1UL << 20;

    public required uint Version { get; init; }
    public required uint GuestSvn { get; init; }
    public required ulong Policy { get; init; }
    public required ImmutableArray<byte> FamilyId { get; init; }
    public required ImmutableArray<byte> ImageId { get; init; }
    public required uint Vmpl { get; init; }
    public required uint SignatureAlgorithm { get; init; }
    public required ulong CurrentTcb { get; init; }
    public required ulong PlatformInfo { get; init; }
    public required uint Flags { get; init; }
    public required ImmutableArray<byte> ReportData { get; init; }
    public required ImmutableArray<byte> Measurement { get; init; }
    public required ImmutableArray<byte> HostData { get; init; }
    public required ImmutableArray<byte> IdKeyDigest { get; init; }
    public required ImmutableArray<byte> AuthorKeyDigest { get; init; }
    public required ImmutableArray<byte> ReportId { get; init; }
    public required ImmutableArray<byte> ReportIdMa { get; init; }
    public required ulong ReportedTcb { get; init; }

    /// <summary>CPUID family, model, stepping (version 3 and later; zero before).</summary>
    public required byte CpuidFamily { get; init; }
    public required byte CpuidModel { get; init; }
    public required byte CpuidStepping { get; init; }
    public required ImmutableArray<byte> ChipId { get; init; }
    public required ulong CommittedTcb { get; init; }
    public required byte CurrentBuild { get; init; }
    public required byte CurrentMinor { get; init; }
    public required byte CurrentMajor { get; init; }
    public required byte CommittedBuild { get; init; }
    public required byte CommittedMinor { get; init; }
    public required byte CommittedMajor { get; init; }
    public required ulong LaunchTcb { get; init; }

    /// <summary>Version 5 and later: mitigation vectors; zero before.</summary>
    public required ulong LaunchMitVector { get; init; }
    public required ulong CurrentMitVector { get; init; }

    /// <summary>The signature as 96 bytes r||s, big-endian (converted from the report's little-endian fields).</summary>
    public required ImmutableArray<byte> Signature { get; init; }

    public bool Debug => (Policy & PolicyDebugBit) != 0;

    public bool MigrateMa => (Policy & PolicyMigrateMaBit) != 0;

    public bool SmtAllowed => (Policy & PolicySmtBit) != 0;

    /// <summary>PLATFORM_INFO.SMT_EN: SMT is enabled on the platform.</summary>
    public bool SmtEnabled => (PlatformInfo & 1) != 0;

    /// <summary>FLAGS.MASK_CHIP_ID: the firmware zeroed CHIP_ID on request.</summary>
    public bool ChipIdMasked => (Flags & 0b10) != 0;

    public SnpSigningKey SigningKey => (SnpSigningKey)((Flags >> 2) & 0b111);

    /// <summary>The product from the CPUID fields (version 3+), or <see cref="SnpProduct.Unknown"/>.</summary>
    public SnpProduct CpuidProduct => ProductFromCpuid(CpuidFamily, CpuidModel);

    /// <summary>Parses and checks the structure (not the signature); throws <see cref="TlessFormatException"/>.</summary>
    public static SnpReport Parse(ReadOnlySpan<byte> report)
    {
        if (report.Length != Size)
        {
            throw new TlessFormatException($"SEV-SNP report must be exactly {Size} bytes, got {report.Length}");
        }

        var r = new SpanReader(report, "SEV-SNP report");
        var version = r.ReadUInt32("version");
        if (version is < 2 or > 5)
        {
            throw new TlessFormatException($"SEV-SNP report: unsupported version {version} at offset 0x0 (supported 2 to 5)");
        }

        var guestSvn = r.ReadUInt32("guest_svn");
        var policy = r.ReadUInt64("policy");
        var familyId = r.ReadBytes(16, "family_id");
        var imageId = r.ReadBytes(16, "image_id");
        var vmpl = r.ReadUInt32("vmpl");
        var sigAlgo = r.ReadUInt32("signature_algo");
        var currentTcb = r.ReadUInt64("current_tcb");
        var platformInfo = r.ReadUInt64("platform_info");
        var flags = r.ReadUInt32("flags");
        r.ReadUInt32("reserved0");
        var reportData = r.ReadBytes(64, "report_data");
        var measurement = r.ReadBytes(48, "measurement");
        var hostData = r.ReadBytes(32, "host_data");
        var idKeyDigest = r.ReadBytes(48, "id_key_digest");
        var authorKeyDigest = r.ReadBytes(48, "author_key_digest");
        var reportId = r.ReadBytes(32, "report_id");
        var reportIdMa = r.ReadBytes(32, "report_id_ma");
        var reportedTcb = r.ReadUInt64("reported_tcb");
        var family = r.ReadByte("cpuid_fam_id");
        var model = r.ReadByte("cpuid_mod_id");
        var stepping = r.ReadByte("cpuid_step");
        r.Seek(0x1A0, "chip_id");
        var chipId = r.ReadBytes(64, "chip_id");
        var committedTcb = r.ReadUInt64("committed_tcb");
        var currentBuild = r.ReadByte("current_build");
        var currentMinor = r.ReadByte("current_minor");
        var currentMajor = r.ReadByte("current_major");
        r.ReadByte("reserved");
        var committedBuild = r.ReadByte("committed_build");
        var committedMinor = r.ReadByte("committed_minor");
        var committedMajor = r.ReadByte("committed_major");
        r.ReadByte("reserved");
        var launchTcb = r.ReadUInt64("launch_tcb");
        var launchMit = r.ReadUInt64("launch_mit_vector");
        var currentMit = r.ReadUInt64("current_mit_vector");
        if (version < 5 && (launchMit != 0 || currentMit != 0))
        {
            throw new TlessFormatException($"SEV-SNP report: reserved bytes at 0x1F8..0x207 are not zero in a version {version} report");
        }

        if (version < 3 && (family | model | stepping) != 0)
        {
            throw new TlessFormatException("SEV-SNP report: reserved CPUID bytes at 0x188..0x18A are not zero in a version 2 report");
        }

        r.Seek(SignedSize, "signature");
        var sig = new byte[96];
        ReadLittleEndianScalar(r.ReadBytes(72, "signature_r"), sig.AsSpan(0, 48), "signature_r");
        ReadLittleEndianScalar(r.ReadBytes(72, "signature_s"), sig.AsSpan(48, 48), "signature_s");
        if (r.ReadBytes(r.Remaining, "reserved").ContainsAnyExcept((byte)0))
        {
            // Not covered by the signature: accepting anything here would make the evidence malleable.
            throw new TlessFormatException($"SEV-SNP report: reserved bytes after the signature (0x{SignedSize + 144:X}..0x{Size - 1:X}) are not zero");
        }

        return new SnpReport
        {
            Version = version,
            GuestSvn = guestSvn,
            Policy = policy,
            FamilyId = [.. familyId],
            ImageId = [.. imageId],
            Vmpl = vmpl,
            SignatureAlgorithm = sigAlgo,
            CurrentTcb = currentTcb,
            PlatformInfo = platformInfo,
            Flags = flags,
            ReportData = [.. reportData],
            Measurement = [.. measurement],
            HostData = [.. hostData],
            IdKeyDigest = [.. idKeyDigest],
            AuthorKeyDigest = [.. authorKeyDigest],
            ReportId = [.. reportId],
            ReportIdMa = [.. reportIdMa],
            ReportedTcb = reportedTcb,
            CpuidFamily = family,
            CpuidModel = model,
            CpuidStepping = stepping,
            ChipId = [.. chipId],
            CommittedTcb = committedTcb,
            CurrentBuild = currentBuild,
            CurrentMinor = currentMinor,
            CurrentMajor = currentMajor,
            CommittedBuild = committedBuild,
            CommittedMinor = committedMinor,
            CommittedMajor = committedMajor,
            LaunchTcb = launchTcb,
            LaunchMitVector = launchMit,
            CurrentMitVector = currentMit,
            Signature = [.. sig],
        };
    }

    /// <summary>The product for a CPUID family/model (extended values as in the report).</summary>
    public static SnpProduct ProductFromCpuid(byte family, byte model) => (family, model) switch
    {
        (0x19, <= 0x0F) => SnpProduct.Milan,
        (0x19, >= 0x10 and <= 0x1F) or (0x19, >= 0xA0 and <= 0xAF) => SnpProduct.Genoa,
        (0x1A, <= 0x11) => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };

    /// <summary>A 72-byte little-endian P-384 scalar to 48 bytes big-endian; the top 24 bytes must be zero.</summary>
    private static void ReadLittleEndianScalar(ReadOnlySpan<byte> le72, Span<byte> be48, string field)
    {
        if (le72[48..].ContainsAnyExcept((byte)0))
        {
            throw new TlessFormatException($"SEV-SNP report: {field} has non-zero bytes beyond the 48 bytes of a P-384 scalar");
        }

        for (var i = 0; i < 48; i++)
        {
            be48[i] = le72[47 - i];
        }
    }
}
