namespace Tless.Runtime.Hosting;

/// <summary>How much a run protects: the three security modes of DESIGN.md.</summary>
public enum SecurityMode
{
    /// <summary>Plaintext objects, no attestation (baseline).</summary>
    None,

    /// <summary>One workflow key, released by the attestation services to any attested host registered for the workflow.</summary>
    Tee,

    /// <summary>Per-node CP-ABE policies and the chaining protocol (the full TLess design).</summary>
    Tless,
}

/// <summary>Text forms of <see cref="SecurityMode"/>: <c>none</c>, <c>tee</c>, <c>tless</c>.</summary>
public static class SecurityModes
{
    public static string ToText(this SecurityMode mode) => mode switch
    {
        SecurityMode.None => "none",
        SecurityMode.Tee => "tee",
        SecurityMode.Tless => "tless",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Parses <c>none</c>, <c>tee</c> or <c>tless</c> (case-insensitive); ArgumentException otherwise.</summary>
    public static SecurityMode Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "none" => SecurityMode.None,
        "tee" => SecurityMode.Tee,
        "tless" => SecurityMode.Tless,
        _ => throw new ArgumentException($"unknown mode '{text}': expected none, tee or tless", nameof(text)),
    };
}
