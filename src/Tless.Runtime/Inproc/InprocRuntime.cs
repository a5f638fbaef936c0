using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Tless.Runtime.Hosting;
using Tless.Runtime.Protocol;
using Tless.Runtime.Storage;

namespace Tless.Runtime.Inproc;

/// <summary>Configuration of an <see cref="InprocRuntime"/>.</summary>
public sealed record InprocRuntimeOptions
{
    /// <summary>The most function instances running at once.</summary>
    public int MaxParallelism { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The Faasm-like runtime (untrusted scheduling around a trusted <see cref="FunctionHost"/>): one worker process
/// hosts many function instances at once, with bounded parallelism. It walks the DAG: entry instances start with
/// the user's tokens; a node's instances start once every instance of every parent node has finished, each with the
/// tokens its parents' instances sent it (fan-out by index, fan-in sees all inputs); instances nobody sent to do not
/// run. If any instance fails, the run is cancelled, everything it wrote except its run record is deleted, and the
/// report names the failing instance and the cause.
/// </summary>
public sealed class InprocRuntime
{
    private readonly FunctionHost host;
    private readonly IObjectStore store;
    private readonly InprocRuntimeOptions options;

    public InprocRuntime(FunctionHost host, IObjectStore store, InprocRuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new InprocRuntimeOptions();
        if (options.MaxParallelism < 1)
        {
            throw new ArgumentException($"MaxParallelism must be at least 1, got {options.MaxParallelism}", nameof(options));
        }

        this.host = host;
        this.store = store;
        this.options = options;
    }

    /// <summary>Observes each finished instance (for progress displays).</summary>
    public event Action<InvocationOutcome>? InstanceCompleted;

    /// <summary>Runs the workflow; returns the report (also written to the run record) whether it succeeded or failed.</summary>
    public async Task<RunReport> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RunIds.IsValid(request.Run))
        {
            throw new ArgumentException($"run id '{request.Run}' is invalid: use 1..64 letters, digits, '_' or '-'", nameof(request));
        }

        var workflow = request.Workflow;
        var spec = workflow.Spec;
        foreach (var instance in request.EntryTokens.Keys)
        {
            if (!spec.EntryNodes.Contains(instance.Node))
            {
                throw new ArgumentException($"entry token for {instance}, which is not an entry node", nameof(request));
            }
        }

        var recordKey = ObjectNames.RunRecord(workflow.Name, request.Run);
        if (await store.ExistsAsync(recordKey, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"run '{request.Run}' of '{workflow.Name}' already exists in {store.Url}", nameof(request));
        }

        var started = options.Time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var report = new RunReport { Workflow = workflow.Name, Run = request.Run, Mode = host.Mode.ToText(), Status = RunStatus.Running, StartedAt = started };
        await WriteRecordAsync(recordKey, report, cancellationToken).ConfigureAwait(false);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(options.MaxParallelism);
        var inbox = new ConcurrentDictionary<NodeInstance, ConcurrentQueue<string>>();
        var outcomes = new ConcurrentBag<InvocationOutcome>();
        Exception? firstFailure = null;

        async Task InvokeAsync(NodeInstance target, ImmutableArray<string> tokens)
        {
            await gate.WaitAsync(cts.Token).ConfigureAwait(false);
            try
            {
                var outcome = await host.InvokeAsync(workflow, new Invocation { Run = request.Run, Target = target, Tokens = tokens }, cts.Token).ConfigureAwait(false);
                foreach (var dispatch in outcome.Dispatches)
                {
                    inbox.GetOrAdd(dispatch.Target, _ => new ConcurrentQueue<string>()).Enqueue(dispatch.Token);
                }

                outcomes.Add(outcome);
                InstanceCompleted?.Invoke(outcome);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                if (Interlocked.CompareExchange(ref firstFailure, e, null) is null)
                {
                    await cts.CancelAsync().ConfigureAwait(false);
                }

                throw;
            }
            finally
            {
                gate.Release();
            }
        }

        var nodeTasks = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var name in spec.TopologicalOrder)
        {
            var node = spec.GetNode(name);
            var parents = node.Parents.Select(p => nodeTasks[p]).ToArray();
            nodeTasks[name] = Task.Run(
                async () =>
                {
                    await Task.WhenAll(parents).ConfigureAwait(false);
                    cts.Token.ThrowIfCancellationRequested();
                    var work = node.Parents.IsEmpty
                        ? request.EntryTokens.Where(e => e.Key.Node == name).Select(e => (e.Key, e.Value))
                        : inbox.Where(e => e.Key.Node == name).Select(e => (e.Key, OrderTokens(e.Value)));
                    await Task.WhenAll(work.OrderBy(w => w.Key.Index).Select(w => InvokeAsync(w.Key, w.Item2))).ConfigureAwait(false);
                },
                cts.Token);
        }

        try
        {
            await Task.WhenAll(nodeTasks.Values).ConfigureAwait(false);
        }
        catch (Exception) when (firstFailure is not null || cts.IsCancellationRequested)
        {
            // Reported below.
        }

        var ordered = outcomes.OrderBy(o => spec.TopologicalOrder.IndexOf(o.Instance.Node)).ThenBy(o => o.Instance.Index).ToList();
        var failure = firstFailure ?? (cancellationToken.IsCancellationRequested ? new OperationCanceledException("the run was cancelled") : null);
        if (failure is not null)
        {
            await DeleteRunObjectsAsync(workflow.Name, request.Run, recordKey).ConfigureAwait(false);
        }

        report = report with
        {
            Status = failure is null ? RunStatus.Succeeded : RunStatus.Failed,
            Error = failure is null ? null : Describe(failure),
            ElapsedMs = clock.Elapsed.TotalMilliseconds,
            Instances = [.. ordered.Select(o => InstanceReport.From(o.Timing))],
            Results = failure is null ? [.. ordered.SelectMany(o => o.Results).Order(StringComparer.Ordinal)] : [],
            Attestations = [.. ordered.Where(o => o.Attestation is not null)
                .Select(o => new AttestationReport
                {
                    Node = o.Instance.Node,
                    Tee = o.Attestation!.Tee,
                    Measurement = o.Attestation.Measurement,
                    Authorities = o.Attestation.Authorities,
                    Insecure = o.Attestation.Insecure,
                })
                .Distinct(AttestationComparer.Instance)],
        };
        await WriteRecordAsync(recordKey, report, CancellationToken.None).ConfigureAwait(false);
        return report;
    }

    /// <summary>Reads the run record of a run.</summary>
    public static async Task<RunReport> ReadReportAsync(IObjectStore store, string workflow, string run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = ObjectNames.RunRecord(workflow, run);
        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(bytes, RunJson.Default.RunReport)
                ?? throw new TlessFormatException($"run record '{key}' is empty");
        }
        catch (JsonException e)
        {
            throw new TlessFormatException($"run record '{key}' is not valid: {e.Message}", e);
        }
    }

    private static ImmutableArray<string> OrderTokens(ConcurrentQueue<string> tokens) => [.. tokens.Order(StringComparer.Ordinal)];

    private static string Describe(Exception e) => e switch
    {
        FunctionFailedException f => f.Message,
        TlessException t => t.Message,
        OperationCanceledException => "the run was cancelled",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private async Task WriteRecordAsync(string key, RunReport report, CancellationToken cancellationToken) =>
        await store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(report, RunJson.Default.RunReport), cancellationToken).ConfigureAwait(false);

    private async Task DeleteRunObjectsAsync(string workflow, string run, string recordKey)
    {
        var keys = await store.ListAsync(ObjectNames.RunPrefix(workflow, run), CancellationToken.None).ConfigureAwait(false);
        foreach (var key in keys)
        {
            if (key != recordKey)
            {
                await store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private sealed class AttestationComparer : IEqualityComparer<AttestationReport>
    {
        public static readonly AttestationComparer Instance = new();

        public bool Equals(AttestationReport? x, AttestationReport? y) =>
            x is not null && y is not null && x.Node == y.Node && x.Tee == y.Tee && x.Measurement == y.Measurement
            && x.Authorities.SequenceEqual(y.Authorities);

        public int GetHashCode(AttestationReport obj) => HashCode.Combine(obj.Node, obj.Tee, obj.Measurement);
    }
}
