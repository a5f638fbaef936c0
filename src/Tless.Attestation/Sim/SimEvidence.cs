using System.Collections.Immutable;
using Tless.Attestation.Common;

namespace Tless.Attestation.Sim;

/// <summary>
/// The simulated TEE's evidence, format <c>tless-sim-v1</c>: a fixed 232-byte little-endian structure signed with the
/// simulated platform's ECDSA P-256 key. INSECURE: anyone holding the simulation key can produce it.
/// </summary>
/// <remarks>
/// Layout: magic "TLESSIM1" (8) | version u32 = 1 | flags u32 (bit 0 = debug, others zero) | timestamp i64 (Unix ms, UTC)
/// | measurement (48) | report_data (64) | key_id (32, SHA-256 of the signer's SubjectPublicKeyInfo DER)
/// | signature (64, ECDSA P-256/SHA-256 r||s over bytes 0x00..0xA7).
/// </remarks>
public sealed record SimEvidence
{
    /// <summary>The format name shown in claims.</summary>
    public const string FormatName = "tless-sim-v1";

    /// <summary>Total size of the evidence in bytes.</summary>
    public const int Size = 232;

    /// <summary>Number of leading bytes covered by the signature.</summary>
    public const int SignedSize = 168;

    public const int MeasurementSize = 48;
    public const int ReportDataSize = 64;
    public const int KeyIdSize = 32;
    public const int SignatureSize = 64;

    internal const uint CurrentVersion = 1;
    internal const uint DebugFlag = 1;
    internal static ReadOnlySpan<byte> Magic => "TLESSIM1"u8;

    public required uint Version { get; init; }

    public required bool Debug { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required ImmutableArray<byte> Measurement { get; init; }

    public required ImmutableArray<byte> ReportData { get; init; }

    public required ImmutableArray<byte> KeyId { get; init; }

    public required ImmutableArray<byte> Signature { get; init; }

    /// <summary>Parses the structure (no signature check); throws <see cref="TlessFormatException"/> saying what is wrong.</summary>
    public static SimEvidence Parse(ReadOnlySpan<byte> evidence)
    {
        if (evidence.Length != Size)
        {
            throw new TlessFormatException($"{FormatName} evidence must be exactly {Size} bytes, got {evidence.Length}");
        }

        var r = new SpanReader(evidence, FormatName);
        if (!r.ReadBytes(8, "magic").SequenceEqual(Magic))
        {
            throw new TlessFormatException($"{FormatName}: bad magic at offset 0 (expected \"TLESSIM1\")");
        }

        var version = r.ReadUInt32("version");
        if (version != CurrentVersion)
        {
            throw new TlessFormatException($"{FormatName}: unsupported version {version} at offset 0x8 (expected {CurrentVersion})");
        }

        var flags = r.ReadUInt32("flags");
        if ((flags & ~DebugFlag) != 0)
        {
            throw new TlessFormatException($"{FormatName}: unknown flag bits 0x{flags & ~DebugFlag:X} at offset 0xC");
        }

        var ms = r.ReadInt64("timestamp");
        if (ms < 0 || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new TlessFormatException($"{FormatName}: timestamp {ms} at offset 0x10 is out of range");
        }

        return new SimEvidence
        {
            Version = version,
            Debug = (flags & DebugFlag) != 0,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms),
            Measurement = [.. r.ReadBytes(MeasurementSize, "measurement")],
            ReportData = [.. r.ReadBytes(ReportDataSize, "report_data")],
            KeyId = [.. r.ReadBytes(KeyIdSize, "key_id")],
            Signature = [.. r.ReadBytes(SignatureSize, "signature")],
        };
    }

    internal AttestationClaims ToClaims() => new()
    {
        Tee = TeeKind.Sim,
        Measurement = Hex.Lower(Measurement.AsSpan()),
        ReportData = ReportData,
        Debug = Debug,
        Insecure = true,
        ChipId = Hex.Lower(KeyId.AsSpan()),
        Tcb = FormatName,
        Extra = ImmutableDictionary<string, string>.Empty
            .Add("format", FormatName)
            .Add("timestamp", Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Add("key_id", Hex.Lower(KeyId.AsSpan()))
            .Add("insecure", "true"),
    };
}
