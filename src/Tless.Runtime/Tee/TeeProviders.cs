using Tless.Attestation;
using Tless.Attestation.Sim;

namespace Tless.Runtime.Tee;

/// <summary>What <see cref="TeeProviders.Create"/> needs for each kind; only the chosen kind's part is used.</summary>
public sealed record TeeProviderOptions
{
    /// <summary>Simulated TEE: the platform whose key signs evidence (required for <see cref="TeeKind.Sim"/>).</summary>
    public SimulatedTee? SimPlatform { get; init; }

    /// <summary>Simulated TEE: the measurement to claim (hex); null for the running host image.</summary>
    public string? SimMeasurement { get; init; }

    /// <summary>SEV-SNP interfaces.</summary>
    public SnpTeeOptions Snp { get; init; } = new();

    /// <summary>TDX interface.</summary>
    public TdxTeeOptions Tdx { get; init; } = new();

    /// <summary>SGX (Gramine) interface.</summary>
    public SgxTeeOptions Sgx { get; init; } = new();
}

/// <summary>Opens the <see cref="ITeeProvider"/> for a kind of TEE.</summary>
public static class TeeProviders
{
    /// <summary>
    /// The provider for <paramref name="kind"/>. Hardware kinds probe their interface and read the measurement now,
    /// throwing <see cref="TeeException"/> when the machine is not such a guest; <see cref="TeeKind.Sim"/> needs
    /// <see cref="TeeProviderOptions.SimPlatform"/> (<see cref="ArgumentException"/> otherwise).
    /// </summary>
    public static ITeeProvider Create(TeeKind kind, TeeProviderOptions? options = null)
    {
        options ??= new TeeProviderOptions();
        return kind switch
        {
            TeeKind.Sim => new SimTeeProvider(
                options.SimPlatform ?? throw new ArgumentException("the simulated TEE needs a SimPlatform", nameof(options)),
                options.SimMeasurement),
            TeeKind.Snp => SnpTeeProvider.Open(options.Snp),
            TeeKind.Tdx => TdxTeeProvider.Open(options.Tdx),
            TeeKind.Sgx => SgxTeeProvider.Open(options.Sgx),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown TEE kind"),
        };
    }
}
