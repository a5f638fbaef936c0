using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Tless.Crypto.Abe;
using YamlDotNet.Core;

namespace Tless.Workflows;

/// <summary>
/// Loads workflow files (YAML, full or simple form; see docs/workflows.md) and validates them, reporting every problem
/// at once with its position.
/// </summary>
public static class WorkflowLoader
{
    /// <summary>The largest scale (instances of one node) accepted.</summary>
    public const int MaxScale = 100_000;

    /// <summary>The largest workflow file accepted, in bytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Loads and validates a file; throws <see cref="WorkflowLoadException"/> with every problem.</summary>
    public static WorkflowSpec Load(string path, WorkflowLoadOptions? options = null) => TryLoad(path, options).GetSpecOrThrow();

    /// <summary>Loads and validates YAML text; <paramref name="fileName"/> names it in messages (and gives the simple form its default name).</summary>
    public static WorkflowSpec LoadFromString(string yaml, string fileName, WorkflowLoadOptions? options = null) =>
        TryLoadFromString(yaml, fileName, options).GetSpecOrThrow();

    /// <summary>Loads and validates a file; never throws for bad input (problems are in the result).</summary>
    public static WorkflowLoadResult TryLoad(string path, WorkflowLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= WorkflowLoadOptions.Default;
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Failed(path, WorkflowErrorCodes.IoError, "the workflow file does not exist");
            }

            if (info.Length > MaxFileBytes)
            {
                return Failed(path, WorkflowErrorCodes.TooLarge, $"the workflow file has {info.Length} bytes; at most {MaxFileBytes} are accepted");
            }

            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            return Failed(path, WorkflowErrorCodes.IoError, "the workflow file is not valid UTF-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(path, WorkflowErrorCodes.IoError, "cannot read the workflow file: " + e.Message);
        }

        var baseDirectory = options.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return TryLoadFromString(text, path, options with { BaseDirectory = baseDirectory });
    }

    /// <summary>Loads and validates YAML text; never throws for bad input (problems are in the result).</summary>
    public static WorkflowLoadResult TryLoadFromString(string yaml, string fileName, WorkflowLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        options ??= WorkflowLoadOptions.Default;
        if (Encoding.UTF8.GetByteCount(yaml) > MaxFileBytes)
        {
            return Failed(fileName, WorkflowErrorCodes.TooLarge, $"the workflow text is longer than {MaxFileBytes} bytes");
        }

        return new LoaderRun(fileName, options).Run(yaml);
    }

    internal static bool TryParseScale(string? text, out int scale)
    {
        scale = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 9 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        scale = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return scale is >= 1 and <= MaxScale;
    }

    /// <summary><c>fetch-public</c> -> <c>FetchPublicFunction</c>.</summary>
    internal static string DefaultFunctionName(string node, string? ns)
    {
        var builder = new StringBuilder();
        foreach (var part in node.Split('-', '_', StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, 'F');
        }

        builder.Append("Function");
        return string.IsNullOrEmpty(ns) ? builder.ToString() : ns + "." + builder;
    }

    private static WorkflowLoadResult Failed(string file, string code, string message) =>
        new() { Errors = [new WorkflowError(code, message, new SourceLocation(file, 1, 1))] };

    private sealed class LoaderRun(string file, WorkflowLoadOptions options)
    {
        private static readonly string[] FullKeys = ["workflow", "version", "description", "parameters", "authorities", "nodes", "edges"];
        private static readonly string[] SimpleKeys = ["funcs", "name", "version", "description", "parameters", "authorities"];
        private static readonly string[] FullNodeKeys = ["name", "function", "package", "scale", "inputs", "policy", "description"];
        private static readonly string[] SimpleNodeKeys = ["name", "function", "package", "scale", "inputs", "policy", "chains_to", "description"];
        private static readonly string[] AuthorityKeys = ["user", "mode", "services"];
        private static readonly string[] ServiceKeys = ["id", "url"];
        private static readonly string[] EdgeKeys = ["from", "to"];

        private readonly List<(int Order, WorkflowError Error)> errors = [];
        private readonly Dictionary<string, WorkflowParameter> parameters = new(StringComparer.Ordinal);
        private readonly List<NodeDraft> nodes = [];
        private readonly Dictionary<string, NodeDraft> declared = new(StringComparer.Ordinal);
        private readonly List<(YScalar From, YScalar To)> edges = [];
        private readonly HashSet<string> rejectedNames = new(StringComparer.Ordinal);
        private bool authoritiesFailed;

        public WorkflowLoadResult Run(string yaml)
        {
            YNode? root;
            try
            {
                root = YamlTree.Parse(yaml, (code, message, mark) => Error(code, mark, message));
            }
            catch (YamlException e)
            {
                Error(WorkflowErrorCodes.YamlSyntax, e.Start, Describe(e));
                return Result(null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // YamlDotNet's scanner throws other exceptions (InvalidOperationException, ...) on some malformed
                // input instead of a YamlException; untrusted input must still get an error, not a crash.
                Error(WorkflowErrorCodes.YamlSyntax, Mark.Empty, "the YAML parser gave up on malformed input: " + e.Message);
                return Result(null);
            }

            if (root is not YMapping map)
            {
                Error(WorkflowErrorCodes.WrongType, root?.Start ?? Mark.Empty,
                    $"a workflow file must be a mapping with 'workflow' and 'nodes' (full form) or 'funcs' (simple form), not {root?.Kind ?? "an empty document"}");
                return Result(null);
            }

            var funcs = Key(map, "funcs");
            var full = funcs is null;
            if (funcs is not null && (Key(map, "nodes") ?? Key(map, "edges") ?? Key(map, "workflow")) is { } other)
            {
                Error(WorkflowErrorCodes.MixedForms, other.Start, $"'{other.Value}' belongs to the full form but the file uses 'funcs' (simple form); use one form");
            }

            CheckKeys(map, full ? FullKeys : SimpleKeys, full ? "the full form" : "the simple form");

            var name = full ? ReadWorkflowName(map) : ReadSimpleName(map);
            var version = ReadVersion(map);
            ReadParameters(map);
            var authorities = ReadAuthorities(map, full);
            var knownAuthorities = authorities is null || authoritiesFailed
                ? null
                : authorities.Services.Select(s => s.Id).Append(authorities.User).ToHashSet(StringComparer.Ordinal);

            var list = full ? Required(map, "nodes") : Required(map, "funcs");
            if (list is not null)
            {
                ReadNodes(list, full, name, knownAuthorities);
            }

            if (full && map.Get("edges") is { } edgeList)
            {
                ReadEdges(edgeList);
            }

            var graph = CheckGraph(list);
            if (errors.Count > 0 || name is null || authorities is null || graph is null)
            {
                return Result(null);
            }

            return Result(Build(name, version, full, authorities, graph));
        }

        private WorkflowLoadResult Result(WorkflowSpec? spec) => new()
        {
            Spec = errors.Count == 0 ? spec : null,
            Errors = [.. errors.OrderBy(e => e.Error.Location.Line).ThenBy(e => e.Error.Location.Column).ThenBy(e => e.Order).Select(e => e.Error)],
        };

        private void Error(string code, Mark mark, string message)
        {
            var location = new SourceLocation(file, Math.Max(1, (int)Math.Min(int.MaxValue, mark.Line)), Math.Max(1, (int)Math.Min(int.MaxValue, mark.Column)));
            errors.Add((errors.Count, new WorkflowError(code, message, location)));
        }

        private void Error(string code, YNode node, string message) => Error(code, node.Start, message);

        private static string Describe(YamlException e)
        {
            // YamlDotNet prefixes messages with "(Line: .., Col: .., Idx: ..) - (...): "; the position is reported separately.
            var message = e.Message;
            var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
            return cut >= 0 ? message[(cut + 3)..] : message;
        }

        private static YScalar? Key(YMapping map, string key) => map.Entries.FirstOrDefault(e => e.Key.Value == key).Key;

        private void CheckKeys(YMapping map, string[] allowed, string where)
        {
            foreach (var (key, _) in map.Entries)
            {
                if (!allowed.Contains(key.Value, StringComparer.Ordinal))
                {
                    Error(WorkflowErrorCodes.UnknownKey, key, $"unknown key '{key.Value}' in {where} (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        private YNode? Required(YMapping map, string key, string? where = null)
        {
            var value = map.Get(key);
            if (value is null)
            {
                Error(WorkflowErrorCodes.MissingKey, map, $"missing required key '{key}'{(where is null ? "" : " in " + where)}");
            }

            return value;
        }

        private string? Text(YNode node, string what)
        {
            if (node is YScalar { IsNull: false } scalar)
            {
                return scalar.Value;
            }

            Error(WorkflowErrorCodes.WrongType, node, $"{what} must be a scalar, not {node.Kind}");
            return null;
        }

        private string? ReadWorkflowName(YMapping map)
        {
            if (Required(map, "workflow") is not { } node || Text(node, "'workflow' (the workflow name)") is not { } name)
            {
                return null;
            }

            if (!WorkflowIds.IsName(name))
            {
                Error(WorkflowErrorCodes.BadIdentifier, node, $"workflow name '{name}' is not an identifier (1..64 of A-Z a-z 0-9 _ -)");
                return null;
            }

            return name;
        }

        private string? ReadSimpleName(YMapping map)
        {
            if (map.Get("name") is { } node)
            {
                if (Text(node, "'name' (the workflow name)") is not { } given)
                {
                    return null;
                }

                if (!WorkflowIds.IsName(given))
                {
                    Error(WorkflowErrorCodes.BadIdentifier, node, $"workflow name '{given}' is not an identifier (1..64 of A-Z a-z 0-9 _ -)");
                    return null;
                }

                return given;
            }

            var fromFile = Path.GetFileNameWithoutExtension(file);
            if (!WorkflowIds.IsName(fromFile))
            {
                Error(WorkflowErrorCodes.BadIdentifier, map, $"the workflow name taken from the file name, '{fromFile}', is not an identifier (1..64 of A-Z a-z 0-9 _ -); add 'name:'");
                return null;
            }

            return fromFile;
        }

        private int ReadVersion(YMapping map)
        {
            if (map.Get("version") is not { } node)
            {
                return 1;
            }

            var text = Text(node, "'version'");
            if (text is null)
            {
                return 1;
            }

            if (text.Length is 0 or > 9 || !text.All(char.IsAsciiDigit) || int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) is not (>= 1 and var version))
            {
                Error(WorkflowErrorCodes.BadVersion, node, $"version '{text}' is not a positive integer");
                return 1;
            }

            return version;
        }

        private void ReadParameters(YMapping map)
        {
            if (map.Get("parameters") is not { } node)
            {
                return;
            }

            if (node is not YMapping parameterMap)
            {
                Error(WorkflowErrorCodes.WrongType, node, $"'parameters' must be a mapping of name: default, not {node.Kind}");
                return;
            }

            foreach (var (key, value) in parameterMap.Entries)
            {
                if (!WorkflowIds.IsParameterName(key.Value))
                {
                    Error(WorkflowErrorCodes.BadParameter, key, $"parameter name '{key.Value}' is not an identifier (a letter or _ then A-Z a-z 0-9 _, at most 64)");
                    continue;
                }

                string? defaultValue = null;
                if (value is YScalar scalar)
                {
                    defaultValue = scalar.IsNull ? null : scalar.Value;
                }
                else
                {
                    Error(WorkflowErrorCodes.BadParameter, value, $"parameter '{key.Value}' must have an integer or string default (or none), not {value.Kind}");
                }

                parameters[key.Value] = new WorkflowParameter { Name = key.Value, Default = defaultValue };
            }
        }

        private WorkflowAuthorities? ReadAuthorities(YMapping map, bool full)
        {
            var node = full ? Required(map, "authorities") : map.Get("authorities");
            if (node is null)
            {
                return full ? null : new WorkflowAuthorities { User = options.DefaultUser, Services = options.DefaultServices };
            }

            var before = errors.Count;
            var result = ReadAuthoritiesBody(node, full);
            authoritiesFailed = errors.Count > before;
            return result;
        }

        private WorkflowAuthorities? ReadAuthoritiesBody(YNode node, bool full)
        {
            if (node is not YMapping map)
            {
                Error(WorkflowErrorCodes.WrongType, node, $"'authorities' must be a mapping with user, mode and services, not {node.Kind}");
                return null;
            }

            CheckKeys(map, AuthorityKeys, "'authorities'");
            var user = options.DefaultUser;
            if (map.Get("user") is { } userNode && Text(userNode, "'user'") is { } userText)
            {
                if (WorkflowIds.IsAuthorityId(userText))
                {
                    user = userText;
                }
                else
                {
                    Error(WorkflowErrorCodes.BadIdentifier, userNode, $"user authority id '{userText}' is not an identifier (1..64 of A-Z a-z 0-9 _)");
                }
            }

            var mode = AuthorityMode.AllOf;
            if (map.Get("mode") is { } modeNode && Text(modeNode, "'mode'") is { } modeText && !AuthorityModes.TryParse(modeText, out mode))
            {
                Error(WorkflowErrorCodes.BadMode, modeNode, $"mode '{modeText}' is neither all-of nor any-of");
            }

            var services = ImmutableArray.CreateBuilder<AuthorityService>();
            var servicesNode = full ? Required(map, "services", "'authorities'") : map.Get("services");
            if (servicesNode is null)
            {
                return full ? null : new WorkflowAuthorities { User = user, Mode = mode, Services = options.DefaultServices };
            }

            if (servicesNode is not YSequence list)
            {
                Error(WorkflowErrorCodes.WrongType, servicesNode, $"'services' must be a list of {{id, url}}, not {servicesNode.Kind}");
                return null;
            }

            if (list.Items.Count == 0)
            {
                Error(WorkflowErrorCodes.NoAuthorities, list, "'services' lists no attestation service; at least one is needed");
            }

            foreach (var item in list.Items)
            {
                if (item is not YMapping service)
                {
                    Error(WorkflowErrorCodes.WrongType, item, $"an attestation service must be a mapping with id and url, not {item.Kind}");
                    continue;
                }

                CheckKeys(service, ServiceKeys, "an attestation service");
                var idNode = Required(service, "id", "an attestation service");
                var urlNode = Required(service, "url", "an attestation service");
                var id = idNode is null ? null : Text(idNode, "'id'");
                var url = urlNode is null ? null : Text(urlNode, "'url'");
                if (id is not null && !WorkflowIds.IsAuthorityId(id))
                {
                    Error(WorkflowErrorCodes.BadIdentifier, idNode!, $"authority id '{id}' is not an identifier (1..64 of A-Z a-z 0-9 _)");
                    id = null;
                }
                else if (id is not null && (id == user || services.Any(s => s.Id == id)))
                {
                    Error(WorkflowErrorCodes.DuplicateAuthority, idNode!, id == user
                        ? $"authority id '{id}' is also the user's authority id"
                        : $"authority id '{id}' is listed twice");
                    id = null;
                }

                Uri? uri = null;
                if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
                {
                    Error(WorkflowErrorCodes.BadUrl, urlNode!, $"url '{url}' is not an absolute http(s) URL");
                    uri = null;
                }

                if (id is not null && uri is not null)
                {
                    services.Add(new AuthorityService { Id = id, Url = uri });
                }
            }

            return new WorkflowAuthorities { User = user, Mode = mode, Services = services.ToImmutable() };
        }

        private void ReadNodes(YNode listNode, bool full, string? workflowName, HashSet<string>? knownAuthorities)
        {
            var what = full ? "'nodes'" : "'funcs'";
            if (listNode is not YSequence list)
            {
                Error(WorkflowErrorCodes.WrongType, listNode, $"{what} must be a list of nodes, not {listNode.Kind}");
                return;
            }

            if (list.Items.Count == 0)
            {
                Error(WorkflowErrorCodes.NoNodes, list, $"{what} lists no node; a workflow needs at least one");
            }

            foreach (var item in list.Items)
            {
                if (item is not YMapping map)
                {
                    Error(WorkflowErrorCodes.WrongType, item, $"a node must be a mapping with name, function, package and scale, not {item.Kind}");
                    continue;
                }

                CheckKeys(map, full ? FullNodeKeys : SimpleNodeKeys, "a node");
                ReadNode(map, full, workflowName, knownAuthorities);
            }
        }

        private void ReadNode(YMapping map, bool full, string? workflowName, HashSet<string>? knownAuthorities)
        {
            var nameNode = Required(map, "name", "a node");
            var name = nameNode is null ? null : Text(nameNode, "a node's 'name'");
            if (name is not null && !WorkflowIds.IsName(name))
            {
                Error(WorkflowErrorCodes.BadIdentifier, nameNode!, $"node name '{name}' is not an identifier (1..64 of A-Z a-z 0-9 _ -)");
                rejectedNames.Add(name);
                name = null;
            }
            else if (name == WorkflowIds.UserAncestor)
            {
                Error(WorkflowErrorCodes.ReservedName, nameNode!, $"node name '{name}' is reserved: it stands for the user, the parent of the entry nodes");
                rejectedNames.Add(name);
                name = null;
            }
            else if (name is not null && declared.TryGetValue(name, out var first))
            {
                Error(WorkflowErrorCodes.DuplicateNode, nameNode!, $"node '{name}' is already declared at line {first.NameNode.Start.Line}");
                name = null;
            }

            string? function = null;
            var functionNode = full ? Required(map, "function", "a node") : map.Get("function");
            if (functionNode is not null && Text(functionNode, "'function'") is { } functionText)
            {
                if (IsTypeName(functionText))
                {
                    function = functionText;
                }
                else
                {
                    Error(WorkflowErrorCodes.BadIdentifier, functionNode, $"function '{functionText}' is not a .NET type name (dot-separated identifiers)");
                }
            }

            string? package = null;
            var packageNode = full ? Required(map, "package", "a node") : map.Get("package");
            if (packageNode is not null && Text(packageNode, "'package'") is { } packageText)
            {
                if (WorkflowIds.IsName(packageText))
                {
                    package = packageText;
                }
                else
                {
                    Error(WorkflowErrorCodes.BadIdentifier, packageNode, $"package name '{packageText}' is not an identifier (1..64 of A-Z a-z 0-9 _ -)");
                }
            }

            var scale = ReadScale(map.Get("scale"), full);
            var inputs = ReadInputs(map.Get("inputs"));
            var policy = ReadPolicy(map.Get("policy"), knownAuthorities);

            if (!full && map.Get("chains_to") is { } chains)
            {
                foreach (var target in NameList(chains, "'chains_to'"))
                {
                    if (name is not null)
                    {
                        edges.Add(((YScalar)nameNode!, target));
                    }
                }
            }

            if (name is not null)
            {
                declared[name] = AddNode(new NodeDraft(name, (YScalar)nameNode!, function ?? (full ? "" : DefaultFunctionName(name, options.DefaultFunctionNamespace)),
                    package ?? (full ? "" : options.DefaultPackage ?? workflowName ?? ""), scale, inputs, policy, map));
            }
        }

        private NodeDraft AddNode(NodeDraft node)
        {
            nodes.Add(node);
            return node;
        }

        private static bool IsTypeName(string text)
        {
            if (text.Length > 512)
            {
                return false;
            }

            foreach (var part in text.Split('.', '+'))
            {
                if (part.Length == 0 || !(char.IsAsciiLetter(part[0]) || part[0] == '_') || !part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    return false;
                }
            }

            return true;
        }

        private NodeScale ReadScale(YNode? node, bool full)
        {
            if (node is null)
            {
                return NodeScale.Fixed(1);
            }

            if (Text(node, "'scale'") is not { } text)
            {
                return NodeScale.Fixed(1);
            }

            if (TryParseScale(text, out var value))
            {
                return NodeScale.Fixed(value);
            }

            if (WorkflowIds.IsParameterName(text))
            {
                if (parameters.ContainsKey(text))
                {
                    return NodeScale.Symbolic(text);
                }

                if (!full)
                {
                    // The prototype's form: a symbolic scale is a parameter given at run time.
                    parameters[text] = new WorkflowParameter { Name = text };
                    return NodeScale.Symbolic(text);
                }

                var declared = parameters.Count == 0 ? "none declared" : "declared: " + string.Join(", ", parameters.Keys.Order(StringComparer.Ordinal));
                Error(WorkflowErrorCodes.BadScale, node, $"scale '{text}' is not a declared parameter ({declared}); declare it under 'parameters'");
                return NodeScale.Fixed(1);
            }

            Error(WorkflowErrorCodes.BadScale, node, $"scale '{text}' is neither an integer in 1..{MaxScale} nor a parameter name");
            return NodeScale.Fixed(1);
        }

        private ImmutableArray<string> ReadInputs(YNode? node)
        {
            if (node is null)
            {
                return [];
            }

            var items = node is YSequence seq ? seq.Items : [node];
            var result = ImmutableArray.CreateBuilder<string>();
            foreach (var item in items)
            {
                if (Text(item, "an input") is not { } text)
                {
                    continue;
                }

                if (text.Length == 0 || text.Any(char.IsControl))
                {
                    Error(WorkflowErrorCodes.BadInput, item, "an input must be a non-empty file path without control characters");
                    continue;
                }

                result.Add(text);
            }

            return result.ToImmutable();
        }

        private Policy? ReadPolicy(YNode? node, HashSet<string>? knownAuthorities)
        {
            if (node is null || Text(node, "'policy'") is not { } text)
            {
                return null;
            }

            if (!Policy.TryParse(text, out var policy, out var error))
            {
                // Point at the offending character when the scalar is on one line.
                var scalar = (YScalar)node;
                var mark = text.Contains('\n', StringComparison.Ordinal)
                    ? scalar.Start
                    : new Mark(scalar.Start.Index, scalar.Start.Line, scalar.Start.Column + QuoteWidth(scalar) + error!.Position);
                Error(WorkflowErrorCodes.BadPolicy, mark, $"policy does not parse: {error!.Problem}");
                return null;
            }

            if (knownAuthorities is not null)
            {
                foreach (var authority in policy.GetAttributes().Select(a => a.Authority).Distinct(StringComparer.Ordinal))
                {
                    if (!knownAuthorities.Contains(authority))
                    {
                        Error(WorkflowErrorCodes.UnknownAuthority, node,
                            $"policy names authority '{authority}', which is neither the user nor a listed service ({string.Join(", ", knownAuthorities.Order(StringComparer.Ordinal))})");
                    }
                }
            }

            return policy;
        }

        private static int QuoteWidth(YScalar scalar) => scalar.Quoted ? 1 : 0;

        private List<YScalar> NameList(YNode node, string what)
        {
            var items = node is YSequence seq ? seq.Items : [node];
            var result = new List<YScalar>();
            foreach (var item in items)
            {
                if (item is YScalar { IsNull: false } scalar)
                {
                    result.Add(scalar);
                }
                else
                {
                    Error(WorkflowErrorCodes.WrongType, item, $"{what} must be a node name or a list of node names, not {item.Kind}");
                }
            }

            return result;
        }

        private void ReadEdges(YNode node)
        {
            if (node is not YSequence list)
            {
                Error(WorkflowErrorCodes.WrongType, node, $"'edges' must be a list of {{from, to}}, not {node.Kind}");
                return;
            }

            foreach (var item in list.Items)
            {
                if (item is not YMapping map)
                {
                    Error(WorkflowErrorCodes.WrongType, item, $"an edge must be a mapping with from and to, not {item.Kind}");
                    continue;
                }

                CheckKeys(map, EdgeKeys, "an edge");
                var fromNode = Required(map, "from", "an edge");
                var toNode = Required(map, "to", "an edge");
                if (fromNode is null || toNode is null)
                {
                    continue;
                }

                var from = NameList(fromNode, "'from'");
                var to = NameList(toNode, "'to'");
                foreach (var f in from)
                {
                    foreach (var t in to)
                    {
                        edges.Add((f, t));
                    }
                }
            }
        }

        private Graph? CheckGraph(YNode? listNode)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < nodes.Count; i++)
            {
                index[nodes[i].Name] = i;
            }

            var successors = nodes.Select(_ => new List<int>()).ToList();
            var edgeMarks = new Dictionary<(int, int), YScalar>();
            var edgeList = new List<(int, int)>();
            var unknownNames = false;
            foreach (var (from, to) in edges)
            {
                var ok = true;
                foreach (var end in new[] { from, to })
                {
                    if (!index.ContainsKey(end.Value))
                    {
                        ok = false;
                        unknownNames = true;
                        if (rejectedNames.Contains(end.Value))
                        {
                            continue; // already reported where the node is declared
                        }

                        var hint = end.Value == WorkflowIds.UserAncestor ? " ('user' is implicit: it invokes the entry nodes)" : "";
                        Error(WorkflowErrorCodes.UnknownNode, end, $"edge names node '{end.Value}', which is not declared{hint}");
                    }
                }

                if (ok)
                {
                    var key = (index[from.Value], index[to.Value]);
                    if (edgeMarks.TryAdd(key, to))
                    {
                        edgeList.Add(key);
                        successors[key.Item1].Add(key.Item2);
                    }
                }
            }

            if (nodes.Count == 0)
            {
                return null;
            }

            var hasCycle = ReportCycles(successors, edgeMarks);
            var parentCount = new int[nodes.Count];
            foreach (var (_, to) in edgeList)
            {
                parentCount[to]++;
            }

            var entries = Enumerable.Range(0, nodes.Count).Where(i => parentCount[i] == 0).ToList();
            if (entries.Count == 0)
            {
                Error(WorkflowErrorCodes.NoEntry, listNode!, "no node is an entry node (every node has a parent), so the user can invoke none");
            }
            else if (!unknownNames)
            {
                var reached = new bool[nodes.Count];
                var queue = new Queue<int>(entries);
                entries.ForEach(e => reached[e] = true);
                while (queue.TryDequeue(out var n))
                {
                    foreach (var s in successors[n].Where(s => !reached[s]))
                    {
                        reached[s] = true;
                        queue.Enqueue(s);
                    }
                }

                var entryNames = string.Join(", ", entries.Select(e => nodes[e].Name));
                for (var i = 0; i < nodes.Count; i++)
                {
                    if (!reached[i])
                    {
                        Error(WorkflowErrorCodes.Unreachable, nodes[i].NameNode, $"node '{nodes[i].Name}' cannot be reached from the entry nodes ({entryNames})");
                    }
                }
            }

            return hasCycle ? null : new Graph(successors, edgeList);
        }

        private bool ReportCycles(List<List<int>> successors, Dictionary<(int, int), YScalar> edgeMarks)
        {
            var found = false;
            foreach (var component in StronglyConnectedComponents(successors))
            {
                var start = component.Min();
                if (component.Count == 1 && !successors[start].Contains(start))
                {
                    continue;
                }

                found = true;
                var members = component.ToHashSet();
                var path = ShortestCycle(start, successors, members);
                var names = string.Join(" -> ", path.Append(start).Select(i => nodes[i].Name));
                Error(WorkflowErrorCodes.Cycle, edgeMarks[(path[^1], start)], $"the edges form a cycle: {names}");
            }

            return found;
        }

        private static List<int> ShortestCycle(int start, List<List<int>> successors, HashSet<int> members)
        {
            // BFS from start back to start inside its component; the path lists the cycle's nodes from start.
            var previous = new Dictionary<int, int>();
            var queue = new Queue<int>();
            queue.Enqueue(start);
            while (queue.TryDequeue(out var n))
            {
                foreach (var s in successors[n].Where(members.Contains).Order())
                {
                    if (s == start)
                    {
                        var path = new List<int> { n };
                        while (path[^1] != start)
                        {
                            path.Add(previous[path[^1]]);
                        }

                        path.Reverse();
                        return path;
                    }

                    if (previous.TryAdd(s, n))
                    {
                        queue.Enqueue(s);
                    }
                }
            }

            throw new InvalidOperationException("a strongly connected component without a cycle");
        }

        private static List<List<int>> StronglyConnectedComponents(List<List<int>> successors)
        {
            // Iterative Tarjan, so deep graphs cannot overflow the stack.
            var n = successors.Count;
            var index = new int[n];
            var low = new int[n];
            var onStack = new bool[n];
            Array.Fill(index, -1);
            var stack = new Stack<int>();
            var result = new List<List<int>>();
            var counter = 0;
            for (var root = 0; root < n; root++)
            {
                if (index[root] >= 0)
                {
                    continue;
                }

                var work = new Stack<(int Node, int Next)>();
                work.Push((root, 0));
                index[root] = low[root] = counter++;
                stack.Push(root);
                onStack[root] = true;
                while (work.Count > 0)
                {
                    var (v, next) = work.Pop();
                    if (next < successors[v].Count)
                    {
                        work.Push((v, next + 1));
                        var w = successors[v][next];
                        if (index[w] < 0)
                        {
                            index[w] = low[w] = counter++;
                            stack.Push(w);
                            onStack[w] = true;
                            work.Push((w, 0));
                        }
                        else if (onStack[w])
                        {
                            low[v] = Math.Min(low[v], index[w]);
                        }

                        continue;
                    }

                    if (low[v] == index[v])
                    {
                        var component = new List<int>();
                        int w;
                        do
                        {
                            w = stack.Pop();
                            onStack[w] = false;
                            component.Add(w);
                        }
                        while (w != v);
                        result.Add(component);
                    }

                    if (work.Count > 0)
                    {
                        var parent = work.Peek().Node;
                        low[parent] = Math.Min(low[parent], low[v]);
                    }
                }
            }

            return result;
        }

        private WorkflowSpec Build(string name, int version, bool full, WorkflowAuthorities authorities, Graph graph)
        {
            var parents = nodes.Select(_ => new List<string>()).ToList();
            var children = nodes.Select(_ => new List<string>()).ToList();
            foreach (var (from, to) in graph.Edges)
            {
                children[from].Add(nodes[to].Name);
                parents[to].Add(nodes[from].Name);
            }

            var built = nodes.Select((d, i) => new WorkflowNode
            {
                Name = d.Name,
                Id = WorkflowIds.NodeId(name, d.Name),
                Function = d.Function,
                Package = d.Package,
                Scale = d.Scale,
                Inputs = d.Inputs,
                ExtraPolicy = d.Policy,
                Parents = [.. parents[i].Order(StringComparer.Ordinal)],
                Children = [.. children[i].Order(StringComparer.Ordinal)],
                Location = new SourceLocation(file, (int)d.Map.Start.Line, (int)d.Map.Start.Column),
            }).ToImmutableArray();

            return new WorkflowSpec
            {
                Name = name,
                Id = WorkflowIds.WorkflowId(name),
                Version = version,
                Form = full ? WorkflowForm.Full : WorkflowForm.Simple,
                SourceFile = file,
                BaseDirectory = options.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory(),
                Parameters = [.. parameters.Values],
                Authorities = authorities,
                Nodes = built,
                Edges = [.. graph.Edges.Select(e => new WorkflowEdge(nodes[e.From].Name, nodes[e.To].Name))],
                EntryNodes = [.. built.Where(n => n.Parents.IsEmpty).Select(n => n.Name)],
                ExitNodes = [.. built.Where(n => n.Children.IsEmpty).Select(n => n.Name)],
                TopologicalOrder = TopologicalOrder(graph),
            };
        }

        private ImmutableArray<string> TopologicalOrder(Graph graph)
        {
            var inDegree = new int[nodes.Count];
            foreach (var (_, to) in graph.Edges)
            {
                inDegree[to]++;
            }

            var ready = new PriorityQueue<int, int>();
            for (var i = 0; i < nodes.Count; i++)
            {
                if (inDegree[i] == 0)
                {
                    ready.Enqueue(i, i);
                }
            }

            var order = ImmutableArray.CreateBuilder<string>(nodes.Count);
            while (ready.TryDequeue(out var n, out _))
            {
                order.Add(nodes[n].Name);
                foreach (var s in graph.Successors[n])
                {
                    if (--inDegree[s] == 0)
                    {
                        ready.Enqueue(s, s);
                    }
                }
            }

            return order.MoveToImmutable();
        }
    }

    private sealed record NodeDraft(string Name, YScalar NameNode, string Function, string Package, NodeScale Scale,
        ImmutableArray<string> Inputs, Policy? Policy, YMapping Map);

    private sealed record Graph(List<List<int>> Successors, List<(int From, int To)> Edges);
}
