using System.Reflection;
using System.Security.Cryptography;

namespace Tless.Runtime.Tee;

/// <summary>
/// The identity of the function host image for the simulated TEE: SHA-384 over a domain label and the bytes of the
/// host's own assemblies (Tless.Runtime and the TLess libraries it trusts). Builds are deterministic, so the user's CLI and
/// the host compute the same value from the same build; any change to the host code changes it. On real TEEs the
/// hardware measures the image instead and this value is not used.
/// </summary>
public static class HostMeasurement
{
    private static readonly Lazy<string> Current = new(Compute);

    /// <summary>The sim measurement of the running host image, lower-case hex (96 characters).</summary>
    public static string ForCurrentHost() => Current.Value;

    /// <summary>The assemblies that make up the trusted host image, in measurement order.</summary>
    public static IReadOnlyList<Assembly> HostAssemblies { get; } =
    [
        typeof(HostMeasurement).Assembly,                        // Tless.Runtime
        typeof(Tless.Workflows.WorkflowSpec).Assembly,           // Tless.Workflows (policy compiler, registrations)
        typeof(Tless.Attestation.TeeKind).Assembly,              // Tless.Attestation
        typeof(TlessException).Assembly,                         // Tless.Crypto
    ];

    private static string Compute()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        hash.AppendData("tless/host-image/v1"u8);
        foreach (var assembly in HostAssemblies)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(assembly.GetName().Name ?? string.Empty);
            hash.AppendData(BitConverter.GetBytes(name.Length));
            hash.AppendData(name);
            var location = assembly.Location;
            if (string.IsNullOrEmpty(location) || !File.Exists(location))
            {
                // Single-file or in-memory hosts have no file: fall back to the module version id.
                hash.AppendData(assembly.ManifestModule.ModuleVersionId.ToByteArray());
                continue;
            }

            var bytes = File.ReadAllBytes(location);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
