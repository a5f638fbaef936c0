using Tless.Runtime.Storage;

namespace Tless.Runtime.Hosting;

/// <summary>Configuration of a <see cref="FunctionHost"/>.</summary>
public sealed record FunctionHostOptions
{
    public required IObjectStore Store { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long the invocation tokens this host signs for successors stay valid.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a warm identity is reused (it also ends when its authority tokens expire).</summary>
    public TimeSpan WarmLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest object (input or code) the host reads.</summary>
    public long MaxObjectBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Throws ArgumentException naming every bad value.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (Store is null)
        {
            problems.Add("Store is required");
        }

        if (Time is null)
        {
            problems.Add("Time is required");
        }

        if (TokenLifetime <= TimeSpan.Zero)
        {
            problems.Add($"TokenLifetime must be positive, got {TokenLifetime}");
        }

        if (WarmLifetime < TimeSpan.Zero)
        {
            problems.Add($"WarmLifetime must not be negative, got {WarmLifetime}");
        }

        if (MaxObjectBytes <= 0)
        {
            problems.Add($"MaxObjectBytes must be positive, got {MaxObjectBytes}");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid function host options: " + string.Join("; ", problems));
        }
    }
}
