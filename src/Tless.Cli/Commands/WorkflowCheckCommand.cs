using System.CommandLine;
using System.Globalization;
using Tless.Workflows;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless workflow check FILE [--policies] [--param k=v]...</c>: validates a workflow file and prints its DAG (and
/// each node's CP-ABE policy); on bad input prints every error as <c>file:line:col: code: message</c> and exits 1.
/// </summary>
internal static class WorkflowCheckCommand
{
    /// <summary>The workflow file or the parameters are invalid.</summary>
    public const int ExitInvalid = 1;

    /// <summary>The command line is unusable (for example a malformed --param).</summary>
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The workflow file (YAML, full or simple form)." };
        var policies = new Option<bool>("--policies") { Description = "Also print each node's CP-ABE policy and the output policy." };
        var parameters = new Option<string[]>("--param")
        {
            Description = "A run parameter as name=value (repeatable), e.g. --param N=8; overrides the file's default.",
            AllowMultipleArgumentsPerToken = true,
        };

        var cmd = new Command("check", "Validate a workflow file and print its DAG; exits 1 and lists every error with its position when invalid.");
        cmd.Arguments.Add(file);
        cmd.Options.Add(policies);
        cmd.Options.Add(parameters);
        cmd.SetAction((parseResult, _) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!TryParseParameters(parseResult.GetValue(parameters) ?? [], out var given, out var problem))
            {
                error.WriteLine($"error: --param {problem}");
                return Task.FromResult(ExitUsage);
            }

            var result = WorkflowLoader.TryLoad(parseResult.GetValue(file)!.FullName);
            if (!result.IsValid)
            {
                foreach (var e in result.Errors)
                {
                    error.WriteLine(e.ToString());
                }

                error.WriteLine($"{result.Errors.Length} error(s)");
                return Task.FromResult(ExitInvalid);
            }

            // Buffered: large workflows print thousands of lines and the console writer flushes every line.
            using var buffer = new StringWriter(CultureInfo.InvariantCulture);
            var exit = Print(result.Spec!, given, parseResult.GetValue(policies), buffer, error);
            output.Write(buffer.ToString());
            return Task.FromResult(exit);
        });
        return cmd;
    }

    internal static bool TryParseParameters(IEnumerable<string> items, out Dictionary<string, string> values, out string? problem)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? item : item[..eq];
            if (eq < 0 || !WorkflowIds.IsParameterName(name))
            {
                problem = $"'{item}' is not name=value with a parameter name (a letter or _ then letters, digits, _)";
                return false;
            }

            if (!values.TryAdd(name, item[(eq + 1)..]))
            {
                problem = $"'{name}' is given twice";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static int Print(WorkflowSpec spec, Dictionary<string, string> given, bool policies, TextWriter output, TextWriter error)
    {
        var values = spec.ResolveParameters(given);
        var exit = 0;
        foreach (var name in given.Keys.Where(k => spec.Parameters.All(p => p.Name != k)).Order(StringComparer.Ordinal))
        {
            error.WriteLine($"note: parameter '{name}' is not declared by the workflow (passed to the functions as a run parameter)");
        }

        output.WriteLine($"workflow {spec.Name} version {spec.Version} ({(spec.Form == WorkflowForm.Full ? "full" : "simple")} form)");
        output.WriteLine($"  id     {spec.Id}");
        output.WriteLine($"  user   {spec.Authorities.User}   mode {spec.Authorities.Mode.ToText()}");
        foreach (var s in spec.Authorities.Services)
        {
            output.WriteLine($"  authority {s.Id} {s.Url}");
        }

        foreach (var p in spec.Parameters)
        {
            var value = values.TryGetValue(p.Name, out var v) ? v : "(unset: give --param " + p.Name + "=...)";
            output.WriteLine($"  parameter {p.Name} = {value}{(given.ContainsKey(p.Name) ? "" : p.Default is null ? "" : " (default)")}");
        }

        output.WriteLine($"nodes ({spec.Nodes.Length}), in topological order:");
        var width = spec.Nodes.Max(n => n.Name.Length);
        foreach (var name in spec.TopologicalOrder)
        {
            var node = spec.GetNode(name);
            output.WriteLine($"  {name.PadRight(width)}  scale {Scale(node, values, error, ref exit),-8} parents {(node.Parents.IsEmpty ? "user" : string.Join(",", node.Parents))}");
            output.WriteLine($"  {"".PadRight(width)}  function {node.Function}  package {node.Package}");
            foreach (var input in node.Inputs)
            {
                var path = spec.ResolveInput(input);
                output.WriteLine($"  {"".PadRight(width)}  input {input}");
                if (!File.Exists(path))
                {
                    error.WriteLine($"warning: input '{input}' of node '{name}' does not exist ({path})");
                }
            }
        }

        output.WriteLine($"edges ({spec.Edges.Length} + {spec.EntryNodes.Length} from the user):");
        foreach (var entry in spec.EntryNodes)
        {
            output.WriteLine($"  user -> {entry}");
        }

        foreach (var e in spec.Edges)
        {
            output.WriteLine($"  {e.From} -> {e.To}");
        }

        output.WriteLine($"order: {string.Join(" -> ", spec.TopologicalOrder)}");
        output.WriteLine($"exit nodes: {string.Join(", ", spec.ExitNodes)}");
        if (policies)
        {
            output.WriteLine("policies:");
            foreach (var name in spec.TopologicalOrder)
            {
                output.WriteLine($"  {name.PadRight(width)}  {PolicyCompiler.NodePolicy(spec, name)}");
            }

            output.WriteLine($"  {"(output)".PadRight(width)}  {PolicyCompiler.OutputPolicy(spec)}");
        }

        return exit;
    }

    private static string Scale(WorkflowNode node, IReadOnlyDictionary<string, string> values, TextWriter error, ref int exit)
    {
        if (node.Scale.Value is int fixedScale)
        {
            return fixedScale.ToString(CultureInfo.InvariantCulture);
        }

        var name = node.Scale.Parameter!;
        if (!values.TryGetValue(name, out var text))
        {
            return name;
        }

        if (NodeScale.TryParseValue(text, out var scale))
        {
            return $"{name}={scale.ToString(CultureInfo.InvariantCulture)}";
        }

        error.WriteLine($"error: parameter '{name}' (scale of node '{node.Name}') is '{text}', not an integer in 1..{WorkflowLoader.MaxScale}");
        exit = ExitInvalid;
        return $"{name}=?";
    }
}
