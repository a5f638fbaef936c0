using System.Globalization;
using Tless.Runtime.Protocol;
using Tless.Runtime.Sdk;
using Tless.Runtime.Storage;

namespace Tless.Runtime.Hosting;

/// <summary>
/// Where TLess keeps things in the (untrusted) object store. Everything of workflow W lives under <c>wf/W/</c>
/// (code and user inputs, written by <c>tless workflow upload</c>) and <c>runs/W/RUN/</c> (one run's data, results,
/// logs and run record). Every object is bound to its key as associated data when encrypted, so moving an object to
/// another key makes it fail to decrypt.
/// </summary>
public static class ObjectNames
{
    /// <summary>Node, run and input names use this alphabet (a subset of object key characters).</summary>
    public static bool IsName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 128 && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>The signed registration last uploaded by the user (public).</summary>
    public static string Registration(string workflow) => ObjectKey.Join("wf", workflow, "registration.json");

    /// <summary>The code package of <paramref name="node"/> (encrypted under that node's policy in mode tless).</summary>
    public static string Code(string workflow, string node) => ObjectKey.Join("wf", workflow, "code", node + ".pkg");

    /// <summary>A user-provided input of entry node <paramref name="node"/>.</summary>
    public static string UserInput(string workflow, string node, string name) =>
        ObjectKey.Join("wf", workflow, "inputs", node, CheckName(name, nameof(name)));

    /// <summary>The prefix of everything a run writes.</summary>
    public static string RunPrefix(string workflow, string run) => ObjectKey.Join("runs", workflow, run) + "/";

    /// <summary>The run record (status, timings, errors; never data).</summary>
    public static string RunRecord(string workflow, string run) => ObjectKey.Join("runs", workflow, run, "run.json");

    /// <summary>Data sent by instance <paramref name="from"/> to instance <paramref name="to"/>.</summary>
    public static string Data(string workflow, string run, NodeInstance to, NodeInstance from, string name) =>
        ObjectKey.Join("runs", workflow, run, "data", to.Node, to.Index.ToString(CultureInfo.InvariantCulture),
            $"{from.Node}.{from.Index.ToString(CultureInfo.InvariantCulture)}.{CheckName(name, nameof(name))}");

    /// <summary>The prefix of the final results of a run.</summary>
    public static string ResultsPrefix(string workflow, string run) => ObjectKey.Join("runs", workflow, run, "results") + "/";

    /// <summary>A final result written by instance <paramref name="from"/>.</summary>
    public static string Result(string workflow, string run, NodeInstance from, string name) =>
        ObjectKey.Join("runs", workflow, run, "results",
            $"{from.Node}.{from.Index.ToString(CultureInfo.InvariantCulture)}.{CheckName(name, nameof(name))}");

    /// <summary>The log lines of one instance (sealed for the user like results).</summary>
    public static string Log(string workflow, string run, NodeInstance from) =>
        ObjectKey.Join("runs", workflow, run, "logs", $"{from.Node}.{from.Index.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// What an input object key means to the function: its name and producer. Throws
    /// <see cref="InvocationRefusedException"/> when the key is not an input key of this workflow and run.
    /// </summary>
    public static FunctionInput DescribeInput(string workflow, string run, NodeInstance target, string key)
    {
        var userPrefix = ObjectKey.Join("wf", workflow, "inputs", target.Node) + "/";
        if (key.StartsWith(userPrefix, StringComparison.Ordinal) && IsName(key[userPrefix.Length..]))
        {
            return new FunctionInput(key[userPrefix.Length..], ProtocolConstants.UserParent, 0);
        }

        var dataPrefix = ObjectKey.Join("runs", workflow, run, "data", target.Node, target.Index.ToString(CultureInfo.InvariantCulture)) + "/";
        if (key.StartsWith(dataPrefix, StringComparison.Ordinal))
        {
            var last = key[dataPrefix.Length..];
            var first = last.IndexOf('.', StringComparison.Ordinal);
            var second = first < 0 ? -1 : last.IndexOf('.', first + 1);
            if (second > first + 1 && first > 0
                && int.TryParse(last.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && IsName(last[(second + 1)..]))
            {
                return new FunctionInput(last[(second + 1)..], last[..first], index);
            }
        }

        throw new InvocationRefusedException($"input '{key}' is not an input of {target} in run '{run}' of workflow '{workflow}'");
    }

    private static string CheckName(string name, string paramName) =>
        IsName(name) ? name : throw new ArgumentException($"'{name}' is not a valid name (letters, digits, '_', '-', '.'; at most 128)", paramName);
}
