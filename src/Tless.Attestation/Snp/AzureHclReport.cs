using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>
/// The Azure confidential VM "HCL report" read from the vTPM: a 32-byte header ("HCLA"), the SEV-SNP report, and the
/// IGVM request data (data_size, version, report_type, hash_type, variable_data_size: five u32) followed by JSON
/// runtime data. The SNP report binds the runtime data: hash(runtime data) == report_data[0 .. hash length].
/// </summary>
public sealed record AzureHclReport
{
    /// <summary>"HCLA" read as a little-endian u32.</summary>
    public const uint Magic = 0x414C4348;

    private const int HeaderSize = 32;
    private const int IgvmFixedSize = 20;

    /// <summary>The embedded SEV-SNP report (1184 bytes).</summary>
    public required ImmutableArray<byte> SnpReport { get; init; }

    /// <summary>The runtime data (JSON with the vTPM attestation key and VM configuration).</summary>
    public required ImmutableArray<byte> RuntimeData { get; init; }

    /// <summary>The hash that binds <see cref="RuntimeData"/>: SHA-256, SHA-384 or SHA-512.</summary>
    public required HashAlgorithmName RuntimeDataHash { get; init; }

    /// <summary>True when the bytes start with the HCL magic.</summary>
    public static bool IsHclReport(ReadOnlySpan<byte> evidence) =>
        evidence.Length >= 4 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(evidence) == Magic;

    /// <summary>Parses the wrapper; throws <see cref="TlessFormatException"/> saying what is wrong and where.</summary>
    public static AzureHclReport Parse(ReadOnlySpan<byte> evidence)
    {
        var r = new SpanReader(evidence, "Azure HCL report");
        if (r.ReadUInt32("signature") != Magic)
        {
            throw new TlessFormatException("Azure HCL report: missing \"HCLA\" signature at offset 0");
        }

        r.ReadUInt32("version");
        var reportSize = r.ReadUInt32("report_size");
        var requestType = r.ReadUInt32("request_type");
        if (requestType != 2)
        {
            throw new TlessFormatException($"Azure HCL report: request_type {requestType} at offset 0xC is not SNP (2)");
        }

        if (reportSize > evidence.Length || reportSize < HeaderSize + Snp.SnpReport.Size + IgvmFixedSize)
        {
            throw new TlessFormatException($"Azure HCL report: report_size {reportSize} at offset 0x8 does not fit the {evidence.Length} bytes given");
        }

        r.Seek(HeaderSize, "hw_report");
        var report = r.ReadBytes(Snp.SnpReport.Size, "hw_report");
        var dataSize = r.ReadUInt32("igvm.data_size");
        r.ReadUInt32("igvm.version");
        var reportType = r.ReadUInt32("igvm.report_type");
        if (reportType != 2)
        {
            throw new TlessFormatException($"Azure HCL report: IGVM report_type {reportType} at offset 0x{r.Position - 4:X} is not SNP (2)");
        }

        var hashType = r.ReadUInt32("igvm.report_data_hash_type");
        var hash = hashType switch
        {
            1 => HashAlgorithmName.SHA256,
            2 => HashAlgorithmName.SHA384,
            3 => HashAlgorithmName.SHA512,
            _ => throw new TlessFormatException($"Azure HCL report: unknown hash type {hashType} at offset 0x{r.Position - 4:X}"),
        };
        var varSize = r.ReadUInt32("igvm.variable_data_size");
        if (varSize > int.MaxValue || (long)varSize + IgvmFixedSize != dataSize || HeaderSize + Snp.SnpReport.Size + (long)dataSize > reportSize)
        {
            throw new TlessFormatException(
                $"Azure HCL report: variable_data_size {varSize} and data_size {dataSize} are inconsistent with report_size {reportSize}");
        }

        var runtime = r.ReadBytes((int)varSize, "igvm.variable_data");
        return new AzureHclReport { SnpReport = [.. report], RuntimeData = [.. runtime], RuntimeDataHash = hash };
    }

    /// <summary>The hash of <see cref="RuntimeData"/> with <see cref="RuntimeDataHash"/>.</summary>
    public byte[] HashRuntimeData()
    {
        var data = RuntimeData.AsSpan();
        return RuntimeDataHash == HashAlgorithmName.SHA512 ? SHA512.HashData(data)
            : RuntimeDataHash == HashAlgorithmName.SHA384 ? SHA384.HashData(data)
            : SHA256.HashData(data);
    }
}
