using System.Collections.Immutable;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Packaging;
using Tless.Runtime.Storage;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>
/// The owner's workflow operations as the CLI performs them (register, upload, run on the inproc runtime, read
/// results), with state kept in an <see cref="OwnerHome"/>. Each step checks that the earlier ones were done with
/// compatible settings and says what to run otherwise.
/// </summary>
public static class OwnerOperations
{
    /// <summary>The invocation-token lifetime for entry nodes.</summary>
    public static readonly TimeSpan EntryTokenLifetime = TimeSpan.FromMinutes(30);

    /// <summary>The attestation services of <paramref name="spec"/> with optional certificate pins by id.</summary>
    public static ImmutableArray<AuthorityEndpoint> Endpoints(WorkflowSpec spec, IReadOnlyDictionary<string, string>? pins = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [.. spec.Authorities.Services.Select(s => new AuthorityEndpoint
        {
            Id = s.Id,
            Url = s.Url,
            CertificateSha256 = pins is not null && pins.TryGetValue(s.Id, out var pin) ? pin : null,
        })];
    }

    /// <summary>
    /// Builds, signs and deposits the registration with every authority (including a fresh workflow key for mode
    /// tee, kept in the home), and saves it in the home. The version is the current time in milliseconds, so every
    /// registration supersedes the previous one.
    /// </summary>
    public static async Task<SignedRegistration> RegisterAsync(
        OwnerHome home,
        WorkflowSpec spec,
        IReadOnlyDictionary<string, string>? parameters,
        IReadOnlyDictionary<string, FunctionPackage> packages,
        AuthoritySet authorities,
        IReadOnlyList<ReferenceMeasurement> measurements,
        bool allowDebug,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(time);
        using var signing = home.LoadSigningKey();
        using var abe = home.LoadAbeKey();
        if (abe.AuthorityId != spec.Authorities.User)
        {
            throw new OwnerHomeException($"the owner key in {home.Directory} is for authority '{abe.AuthorityId}', but workflow '{spec.Name}' names user '{spec.Authorities.User}'");
        }

        var info = await authorities.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var workflowKey = home.GetOrCreateWorkflowKey(spec.Name);
        var digests = spec.Nodes.ToDictionary(n => n.Name, n => packages[n.Package].Digest, StringComparer.Ordinal);
        var registration = OwnerRegistration.Build(
            spec, parameters, time.GetUtcNow().ToUnixTimeMilliseconds(), digests, measurements, info, abe.PublicKey, workflowKey, allowDebug);
        var signed = SignedRegistration.Sign(registration, signing);
        await OwnerRegistration.RegisterAsync(authorities, signed, workflowKey, cancellationToken).ConfigureAwait(false);
        home.SaveRegistration(signed);
        return signed;
    }

    /// <summary>The sealer of <paramref name="mode"/> with the owner's keys (dispose the returned scope after use).</summary>
    public static async Task<OwnerKeys> OpenKeysAsync(OwnerHome home, WorkflowSpec spec, SecurityMode mode, AuthoritySet? authorities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(spec);
        switch (mode)
        {
            case SecurityMode.None:
                return new OwnerKeys(OwnerSealer.Plain, null);
            case SecurityMode.Tee:
                return new OwnerKeys(OwnerSealer.ForWorkflowKey(home.ReadWorkflowKey(spec.Name)), null);
            default:
                ArgumentNullException.ThrowIfNull(authorities);
                var abe = home.LoadAbeKey();
                try
                {
                    var keys = await authorities.GetAbePublicKeysAsync(cancellationToken).ConfigureAwait(false);
                    return new OwnerKeys(OwnerSealer.ForTless(spec, keys, abe), abe);
                }
                catch
                {
                    abe.Dispose();
                    throw;
                }
        }
    }

    /// <summary>Seals and writes code and inputs for <paramref name="mode"/>; saves the manifest in the home.</summary>
    public static async Task<UploadManifest> UploadAsync(
        OwnerHome home,
        WorkflowSpec spec,
        SecurityMode mode,
        IObjectStore store,
        IReadOnlyDictionary<string, FunctionPackage> packages,
        AuthoritySet? authorities,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(store);
        if (mode != SecurityMode.None)
        {
            CheckRegisteredDigests(home.LoadRegistration(spec.Name), spec, packages);
        }

        using var keys = await OpenKeysAsync(home, spec, mode, authorities, cancellationToken).ConfigureAwait(false);
        var manifest = await WorkflowUploader.UploadAsync(spec, packages, keys.Sealer, store, cancellationToken).ConfigureAwait(false);
        home.SaveManifest(manifest);
        return manifest;
    }

    /// <summary>
    /// Runs the workflow on the inproc runtime in this process: a worker with a function host of
    /// <paramref name="mode"/> (sim TEE with the home's platform key for tee and tless). The upload must have been
    /// done for the same mode and store (in mode none it is done here when missing).
    /// </summary>
    public static async Task<RunReport> RunAsync(
        OwnerHome home,
        WorkflowSpec spec,
        SecurityMode mode,
        IObjectStore store,
        IReadOnlyDictionary<string, string>? parameters,
        AuthoritySet? authorities,
        RunOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var time = options.Time;
        var run = options.Run ?? RunIds.New(time);
        var manifest = home.TryLoadManifest(spec.Name);
        var stale = manifest is not null && options.Packages is not null
            && spec.Nodes.Any(n => !manifest.Code.TryGetValue(n.Name, out var c) || !options.Packages.TryGetValue(n.Package, out var p) || p.Digest != c.Digest);
        if (manifest is null || manifest.Mode != mode.ToText() || manifest.Store != store.Url || (stale && mode == SecurityMode.None))
        {
            if (mode != SecurityMode.None)
            {
                throw new OwnerHomeException(
                    $"'{spec.Name}' was not uploaded for mode {mode.ToText()} to {store.Url}: run `tless workflow upload {spec.SourceFile} --mode {mode.ToText()} --store {store.Url}` first");
            }

            manifest = await UploadAsync(home, spec, mode, store, options.Packages ?? PackageSource.Resolve(spec), null, cancellationToken).ConfigureAwait(false);
        }

        HostWorkflow workflow;
        FunctionHost host;
        ImmutableDictionary<Protocol.NodeInstance, ImmutableArray<string>> entry;
        var hostOptions = new FunctionHostOptions { Store = store, Time = time };
        Attestation.Sim.SimulatedTee? platform = null;
        using var ownerKey = mode == SecurityMode.None ? System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256) : home.LoadSigningEcdsa();
        if (mode == SecurityMode.None)
        {
            workflow = HostWorkflow.Unregistered(spec, parameters, manifest.Code.ToDictionary(c => c.Key, c => c.Value.Digest));
            host = FunctionHost.CreatePlain(hostOptions);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(authorities);
            var signed = home.LoadRegistration(spec.Name);
            using (var signing = home.LoadSigningKey())
            {
                workflow = HostWorkflow.FromRegistration(spec, signed, parameters, signing.PublicKeySpki.Span);
            }

            platform = home.LoadSimPlatform(time);
            var tee = options.Tee ?? new SimTeeProvider(platform);
            host = mode == SecurityMode.Tee ? FunctionHost.CreateTee(hostOptions, tee, authorities) : FunctionHost.CreateTless(hostOptions, tee, authorities);
        }

        try
        {
            entry = EntryTokens.Create(spec, workflow.Scales, manifest, run, ownerKey, time, EntryTokenLifetime);
            var runtime = new InprocRuntime(host, store, new InprocRuntimeOptions { MaxParallelism = options.MaxParallelism, Time = time });
            if (options.OnInstance is not null)
            {
                runtime.InstanceCompleted += options.OnInstance;
            }

            var report = await runtime.RunAsync(new RunRequest { Workflow = workflow, Run = run, EntryTokens = entry }, cancellationToken).ConfigureAwait(false);
            if (options.Repeat > 1 && report.Succeeded)
            {
                var reports = new List<RunReport> { report };
                for (var i = 1; i < options.Repeat; i++)
                {
                    var next = RunIds.New(time) + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    entry = EntryTokens.Create(spec, workflow.Scales, manifest, next, ownerKey, time, EntryTokenLifetime);
                    reports.Add(await runtime.RunAsync(new RunRequest { Workflow = workflow, Run = next, EntryTokens = entry }, cancellationToken).ConfigureAwait(false));
                }

                options.OnRepeats?.Invoke(reports);
                return reports[^1];
            }

            return report;
        }
        finally
        {
            await host.DisposeAsync().ConfigureAwait(false);
            platform?.Dispose();
        }
    }

    /// <summary>Reads and opens the final results (and logs) of a run with the owner's keys.</summary>
    public static async Task<RunResults> ReadResultsAsync(
        OwnerHome home, WorkflowSpec spec, IObjectStore store, string run, AuthoritySet? authorities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var report = await InprocRuntime.ReadReportAsync(store, spec.Name, run, cancellationToken).ConfigureAwait(false);
        if (!report.Succeeded)
        {
            return new RunResults { Report = report, Results = [], Logs = [] };
        }

        var mode = SecurityModes.Parse(report.Mode);
        using var keys = await OpenKeysAsync(home, spec, mode, authorities, cancellationToken).ConfigureAwait(false);
        var results = ImmutableArray.CreateBuilder<(string Key, byte[] Data)>();
        foreach (var key in report.Results)
        {
            var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            results.Add((key, keys.Sealer.TryOpen(spec.Name, key, stored, out var plain)
                ? plain
                : throw new ObjectIntegrityException(key, "cannot be opened with the owner's key (tampered, or sealed for someone else)")));
        }

        var logs = ImmutableArray.CreateBuilder<(string Key, byte[] Data)>();
        foreach (var key in await store.ListAsync(ObjectNames.RunPrefix(spec.Name, run) + "logs/", cancellationToken).ConfigureAwait(false))
        {
            var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (keys.Sealer.TryOpen(spec.Name, key, stored, out var plain))
            {
                logs.Add((key, plain));
            }
        }

        return new RunResults { Report = report, Results = results.ToImmutable(), Logs = logs.ToImmutable() };
    }

    private static void CheckRegisteredDigests(SignedRegistration signed, WorkflowSpec spec, IReadOnlyDictionary<string, FunctionPackage> packages)
    {
        var stale = signed.Registration.Nodes
            .Where(n => spec.TryGetNode(n.Name, out var node) && packages.TryGetValue(node.Package, out var p) && p.Digest != n.CodeDigest)
            .Select(n => n.Name)
            .ToList();
        if (stale.Count > 0)
        {
            throw new OwnerHomeException($"the packages of {string.Join(", ", stale)} changed since '{spec.Name}' was registered: run `tless workflow register` again");
        }
    }
}

/// <summary>Options of <see cref="OwnerOperations.RunAsync"/>.</summary>
public sealed record RunOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The run id; a new one when null.</summary>
    public string? Run { get; init; }

    public int MaxParallelism { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>The TEE the worker runs in; the sim platform of the home when null.</summary>
    public ITeeProvider? Tee { get; init; }

    /// <summary>Packages (mode none auto-upload); resolved by convention when null.</summary>
    public IReadOnlyDictionary<string, FunctionPackage>? Packages { get; init; }

    /// <summary>How many runs to make on the same worker (the second and later are warm).</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Called after each instance (progress).</summary>
    public Action<InvocationOutcome>? OnInstance { get; init; }

    /// <summary>Called with every report when <see cref="Repeat"/> is above 1.</summary>
    public Action<IReadOnlyList<RunReport>>? OnRepeats { get; init; }
}

/// <summary>The owner's sealer with the key material it needs; dispose after use.</summary>
public sealed class OwnerKeys(OwnerSealer sealer, IDisposable? material) : IDisposable
{
    public OwnerSealer Sealer { get; } = sealer;

    public void Dispose() => material?.Dispose();
}

/// <summary>A run's report with its opened results and logs.</summary>
public sealed record RunResults
{
    public required RunReport Report { get; init; }

    public required ImmutableArray<(string Key, byte[] Data)> Results { get; init; }

    public required ImmutableArray<(string Key, byte[] Data)> Logs { get; init; }
}
