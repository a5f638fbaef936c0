using System.Text;

namespace Tless.Workflows.Tests;

public sealed class WorkflowLoaderTests
{
    [Fact]
    public void Load_FullForm_ReturnsTheDag()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        Assert.Equal("word-count", spec.Name);
        Assert.Equal(WorkflowForm.Full, spec.Form);
        Assert.Equal(1, spec.Version);
        Assert.Equal(["splitter", "mapper", "reducer"], spec.Nodes.Select(n => n.Name));
        Assert.Equal(["splitter", "mapper", "reducer"], spec.TopologicalOrder);
        Assert.Equal(["splitter"], spec.EntryNodes);
        Assert.Equal(["reducer"], spec.ExitNodes);
        Assert.Equal(["splitter"], spec.GetNode("mapper").Parents);
        Assert.Equal(["reducer"], spec.GetNode("mapper").Children);
        Assert.Equal("N", spec.GetNode("mapper").Scale.Parameter);
        Assert.Equal(1, spec.GetNode("splitter").Scale.Value);
        Assert.Equal("Tless.Apps.WordCount.MapperFunction", spec.GetNode("mapper").Function);
        Assert.Equal("tless-apps", spec.GetNode("mapper").Package);
        Assert.Equal(AuthorityMode.AllOf, spec.Authorities.Mode);
        Assert.Equal("user", spec.Authorities.User);
        Assert.Equal(["as1", "as2"], spec.Authorities.Services.Select(s => s.Id));
        Assert.Equal(new Uri("https://127.0.0.1:8702"), spec.Authorities.Services[1].Url);
        Assert.Equal(["../data/word-count/sotu-sample.txt"], spec.GetNode("splitter").Inputs);
        var expectedInput = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "Corpus", "data", "word-count", "sotu-sample.txt"));
        Assert.Equal(expectedInput, spec.ResolveInput(spec.GetNode("splitter").Inputs[0]));
        Assert.Equal(14, spec.GetNode("splitter").Location.Line);
    }

    [Fact]
    public void Load_Ids_AreTheDocumentedHashes()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        // sha256("wf:word-count") and sha256("node:word-count|mapper"), computed independently with sha256sum.
        Assert.Equal("1238bc09b3bf367f44881a653fa7dd956ff24cf4810ef2ac28c27436746bf96b", spec.Id);
        Assert.Equal("e1e411a5c1648b279ae9afc0ea3621dfdc1b64cab12a61793762c7bc23ab5179", spec.GetNode("mapper").Id);
        Assert.Equal(spec.Id, WorkflowIds.WorkflowId("word-count"));
        Assert.NotEqual(spec.GetNode("mapper").Id, spec.GetNode("reducer").Id);
    }

    [Fact]
    public void Load_SimpleForm_TakesDocumentedDefaults()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid(Path.Combine("simple", "word-count.yaml")));

        Assert.Equal(WorkflowForm.Simple, spec.Form);
        Assert.Equal("word-count", spec.Name); // from the file name
        Assert.Equal(["splitter", "mapper", "reducer"], spec.TopologicalOrder);
        Assert.Equal("MapperFunction", spec.GetNode("mapper").Function);
        Assert.Equal("word-count", spec.GetNode("mapper").Package);
        Assert.Equal("user", spec.Authorities.User);
        Assert.Equal(["as1"], spec.Authorities.Services.Select(s => s.Id));
        Assert.Equal([new WorkflowParameter { Name = "N" }], spec.Parameters);
        Assert.Equal(["mapper"], spec.GetNode("splitter").Children);
    }

    [Fact]
    public void Load_SimpleFormWithOptions_UsesCallerDefaults()
    {
        var options = new WorkflowLoadOptions
        {
            DefaultFunctionNamespace = "Tless.Apps.WordCount",
            DefaultPackage = "tless-apps",
            DefaultUser = "bob",
            DefaultServices = [new AuthorityService { Id = "x1", Url = new Uri("https://x1:1") }, new AuthorityService { Id = "x2", Url = new Uri("https://x2:2") }],
        };
        var spec = WorkflowLoader.Load(Corpus.Valid(Path.Combine("simple", "word-count.yaml")), options);

        Assert.Equal("Tless.Apps.WordCount.SplitterFunction", spec.GetNode("splitter").Function);
        Assert.Equal("tless-apps", spec.GetNode("splitter").Package);
        Assert.Equal("bob", spec.Authorities.User);
        Assert.Equal(["x1", "x2"], spec.Authorities.Services.Select(s => s.Id));
    }

    [Fact]
    public void LoadFromString_SimpleFormWithChainsToList_BuildsFanOut()
    {
        var spec = WorkflowLoader.LoadFromString(
            "name: fan\nfuncs: [{name: a, chains_to: [b, c]}, {name: b, chains_to: d}, {name: c, chains_to: d}, {name: fetch-public}, {name: d}]\n",
            "whatever.yml");

        Assert.Equal("fan", spec.Name);
        Assert.Equal(["a", "fetch-public"], spec.EntryNodes);
        Assert.Equal(["b", "c"], spec.GetNode("d").Parents);
        Assert.Equal(["a", "b", "c", "fetch-public", "d"], spec.TopologicalOrder);
        Assert.Equal("FetchPublicFunction", spec.GetNode("fetch-public").Function);
        Assert.Equal(1, spec.GetNode("a").Scale.Value);
    }

    [Fact]
    public void Load_FinraWithAnyOfAndExtraPolicy_Loads()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("finra.yaml"));

        Assert.Equal(AuthorityMode.AnyOf, spec.Authorities.Mode);
        Assert.Equal("alice", spec.Authorities.User);
        Assert.Equal(3, spec.Version);
        Assert.Equal(["fetch-private", "fetch-public"], spec.GetNode("audit").Parents);
        Assert.Equal(["fetch-public", "fetch-private", "audit", "merge"], spec.TopologicalOrder);
        Assert.Equal("alice.role:auditor | as2.tier:gold", spec.GetNode("fetch-private").ExtraPolicy!.ToString());
        Assert.Equal("2024", spec.Parameters.Single(p => p.Name == "year").Default);
    }

    [Theory]
    [InlineData("word-count")]
    [InlineData("finra")]
    [InlineData("ml-training")]
    [InlineData("ml-inference")]
    public void Load_RepositoryWorkflowFiles_AreValid(string name)
    {
        var path = Path.Combine(Corpus.RepositoryRoot(), "workflows", name + ".yaml");
        Assert.SkipUnless(File.Exists(path), $"{path} is not written yet");

        var result = WorkflowLoader.TryLoad(path);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(name, result.Spec!.Name);
        Assert.All(result.Spec.Nodes, n => Assert.StartsWith("Tless.Apps.", n.Function, StringComparison.Ordinal));
    }

    public static TheoryData<string, string[]> BadFiles => new()
    {
        { "unknown-node.yaml", ["11:9 unknown_node"] },
        { "simple-unknown-node.yaml", ["1:102 unknown_node"] },
        { "cycle.yaml", ["15:19 cycle"] },
        { "duplicate-node.yaml", ["9:12 duplicate_node"] },
        { "bad-identifier.yaml", ["1:11 bad_identifier", "7:12 bad_identifier"] },
        { "bad-scale.yaml", ["9:49 bad_scale", "10:49 bad_scale", "11:49 bad_scale"] },
        { "unreachable.yaml", ["9:12 unreachable", "10:12 unreachable", "14:19 cycle"] },
        { "no-entry.yaml", ["7:3 no_entry", "11:19 cycle"] },
        { "unknown-authority.yaml", ["10:13 unknown_authority"] },
        { "bad-policy.yaml", ["10:36 bad_policy"] },
        { "unknown-key.yaml", ["10:5 unknown_key"] },
        { "wrong-type.yaml", ["7:3 wrong_type"] },
        { "yaml-syntax.yaml", ["4:1 yaml_syntax"] },
        { "duplicate-key.yaml", ["7:42 duplicate_key"] },
        { "reserved-name.yaml", ["7:12 reserved_name"] },
        {
            "many.yaml",
            [
                "2:10 bad_version", "4:9 bad_mode", "6:11 bad_identifier", "7:12 bad_url", "12:12 bad_scale", "13:11 duplicate_node",
                "16:11 bad_identifier", "22:5 unknown_key", "25:9 unknown_node", "27:9 cycle",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void TryLoad_MalformedFile_ReportsEveryErrorWithPosition(string file, string[] expected)
    {
        var path = Corpus.Bad(file);

        var result = WorkflowLoader.TryLoad(path);

        Assert.False(result.IsValid);
        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Errors.Select(e => $"{e.Location.Line}:{e.Location.Column} {e.Code}"));
        Assert.All(result.Errors, e => Assert.Equal(path, e.Location.File));
        Assert.All(result.Errors, e => Assert.StartsWith($"{path}:{e.Location.Line}:{e.Location.Column}: {e.Code}: ", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MalformedFile_ThrowsWithAllErrors()
    {
        var e = Assert.Throws<WorkflowLoadException>(() => WorkflowLoader.Load(Corpus.Bad("many.yaml")));

        Assert.Equal(10, e.Errors.Length);
        Assert.Contains("bad_version", e.Message, StringComparison.Ordinal);
        Assert.Contains("many.yaml:27:9: cycle: the edges form a cycle: d -> d", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_Messages_SayWhatIsWrong()
    {
        var cycle = WorkflowLoader.TryLoad(Corpus.Bad("cycle.yaml")).Errors.Single();
        var unknown = WorkflowLoader.TryLoad(Corpus.Bad("unknown-node.yaml")).Errors.Single();
        var scale = WorkflowLoader.TryLoad(Corpus.Bad("bad-scale.yaml")).Errors[1];

        Assert.Equal("the edges form a cycle: a -> b -> c -> a", cycle.Message);
        Assert.Equal("edge names node 'c', which is not declared", unknown.Message);
        Assert.Equal("scale 'M' is not a declared parameter (declared: N); declare it under 'parameters'", scale.Message);
    }

    [Theory]
    [InlineData("", "wrong_type")]
    [InlineData("42", "wrong_type")]
    [InlineData("- a\n- b", "wrong_type")]
    [InlineData("funcs: [{name: a}]\nnodes: []", "mixed_forms")]
    [InlineData("funcs: []", "no_nodes")]
    [InlineData("funcs: [{name: a}]\n---\nfuncs: [{name: b}]", "yaml_syntax")]
    [InlineData("funcs: [{name: a, chains_to: *nope}]", "yaml_syntax")]
    [InlineData("funcs: [{name: a, scale: 1.5}]", "bad_scale")]
    [InlineData("funcs: [{name: a, scale: 100001}]", "bad_scale")]
    [InlineData("funcs: [{name: a, scale: 99999999999999999999}]", "bad_scale")]
    [InlineData("funcs: [{name: a, scale: [1]}]", "wrong_type")]
    [InlineData("funcs: [{name: a, scale: ~}]", "wrong_type")]
    [InlineData("funcs: [{name: a, chains_to: {x: 1}}]", "wrong_type")]
    [InlineData("funcs: [{name: a, function: 'not a type'}]", "bad_identifier")]
    [InlineData("funcs: [{name: a, package: 'a/b'}]", "bad_identifier")]
    [InlineData("funcs: [{name: a, inputs: ['']}]", "bad_input")]
    [InlineData("funcs: [{name: a}]\nparameters: {1x: 3}", "bad_parameter")]
    [InlineData("funcs: [{name: a}]\nparameters: [N]", "wrong_type")]
    [InlineData("funcs: [{name: a}]\nversion: abc", "bad_version")]
    [InlineData("funcs: [{name: a}]\nversion: ''", "bad_version")]
    [InlineData("funcs: [{name: a}]\nversion: |\n", "bad_version")]
    [InlineData("funcs: [{name: a}]\nauthorities: {services: []}", "no_authorities")]
    [InlineData("funcs: [{name: a}]\nauthorities: {user: u, services: [{id: u, url: 'http://x'}]}", "duplicate_authority")]
    [InlineData("funcs: [{name: a}]\nauthorities: {services: [{id: s, url: 'http://x'}, {id: s, url: 'http://y'}]}", "duplicate_authority")]
    [InlineData("funcs: [{name: a}]\nauthorities: {services: [{id: s, url: 'ftp://x'}]}", "bad_url")]
    [InlineData("funcs: [{name: a}]\nauthorities: {services: [{id: s}]}", "missing_key")]
    [InlineData("funcs: [{name: a}]\nauthorities: {user: 'a-b'}", "bad_identifier")]
    [InlineData("funcs: [{scale: 2}]", "missing_key")]
    [InlineData("funcs: [{name: a, policy: 'x.y:z'}]", "unknown_authority")]
    [InlineData("funcs: [{name: a, policy: ''}]", "bad_policy")]
    [InlineData("workflow: w\nauthorities: {services: [{id: s, url: 'http://x'}]}\nnodes: [{name: a, function: F}]", "missing_key")]
    [InlineData("workflow: w\nnodes: [{name: a, function: F, package: p}]", "missing_key")]
    [InlineData("workflow: w\nauthorities: {services: [{id: s, url: 'http://x'}]}\nnodes: [{name: a, function: F, package: p}]\nedges: [{from: a}]", "missing_key")]
    [InlineData("workflow: w\nauthorities: {services: [{id: s, url: 'http://x'}]}\nnodes: [{name: a, function: F, package: p}]\nedges: [{from: user, to: a}]", "unknown_node")]
    [InlineData("workflow: w\nauthorities: {services: [{id: s, url: 'http://x'}]}\nnodes: [{name: a, function: F, package: p}]\nedges: {from: a, to: a}", "wrong_type")]
    [InlineData("workflow: [w]\nauthorities: {services: [{id: s, url: 'http://x'}]}\nnodes: [{name: a, function: F, package: p}]", "wrong_type")]
    [InlineData("{a: 1, a: 2, funcs: [{name: a}]}", "duplicate_key")]
    [InlineData("funcs: [{name: a}]\n? [x]\n: 1", "wrong_type")]
    [InlineData("funcs: [{name: a}, {name: b}, {name: a}]", "duplicate_node")]
    public void TryLoadFromString_BadInput_ReportsCode(string yaml, string code)
    {
        var result = WorkflowLoader.TryLoadFromString(yaml, "test.yaml");

        Assert.False(result.IsValid);
        Assert.Contains(code, result.Errors.Select(e => e.Code));
        Assert.All(result.Errors, e => Assert.True(e.Location.Line >= 1 && e.Location.Column >= 1));
    }

    [Fact]
    public void TryLoadFromString_SimpleFormFileNameNotAnIdentifier_AsksForName()
    {
        var result = WorkflowLoader.TryLoadFromString("funcs: [{name: a}]", "my workflow.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("bad_identifier", error.Code);
        Assert.Contains("add 'name:'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoadFromString_AliasOfAnchoredList_IsResolvedWithoutExpansion()
    {
        // Aliases resolve to the anchored node; a "billion laughs" document stays cheap.
        var yaml = new StringBuilder("x0: &a0 [n, n, n, n, n, n, n, n]\n");
        for (var i = 1; i < 30; i++)
        {
            yaml.Append($"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        yaml.Append("funcs: [{name: a, inputs: *a0}]\n");

        var result = WorkflowLoader.TryLoadFromString(yaml.ToString(), "laughs.yaml");

        Assert.Equal(30, result.Errors.Count(e => e.Code == "unknown_key"));
    }

    [Fact]
    public void TryLoadFromString_DeepNesting_IsRefused()
    {
        var yaml = "funcs: " + new string('[', 500) + new string(']', 500);

        var result = WorkflowLoader.TryLoadFromString(yaml, "deep.yaml");

        Assert.Equal("yaml_syntax", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void TryLoad_MissingFile_ReportsIoError()
    {
        var result = WorkflowLoader.TryLoad(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".yaml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("io_error", error.Code);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_InvalidUtf8_ReportsIoError()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllBytes(path, [0x66, 0x75, 0x6e, 0x63, 0x73, 0x3a, 0x20, 0xff, 0xfe]);
        try
        {
            var error = Assert.Single(WorkflowLoader.TryLoad(path).Errors);
            Assert.Equal("io_error", error.Code);
            Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TryLoadFromString_TooLarge_IsRefused()
    {
        var result = WorkflowLoader.TryLoadFromString("# " + new string('x', WorkflowLoader.MaxFileBytes), "big.yaml");

        Assert.Equal("too_large", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void ResolveScales_DefaultsAndOverrides_GiveConcreteScales()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        Assert.Equal(4, spec.ResolveScales(null)["mapper"]);
        Assert.Equal(7, spec.ResolveScales(new Dictionary<string, string> { ["N"] = "7" })["mapper"]);
        Assert.Equal(1, spec.ResolveScales(null)["reducer"]);
        Assert.Equal("9", spec.ResolveParameters(new Dictionary<string, string> { ["top_k"] = "9" })["top_k"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("four")]
    [InlineData("100001")]
    [InlineData("")]
    public void ResolveScales_BadValue_ThrowsNamingTheParameter(string value)
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        var e = Assert.Throws<WorkflowParameterException>(() => spec.ResolveScales(new Dictionary<string, string> { ["N"] = value }));

        Assert.Contains("parameter 'N' (scale of node 'mapper')", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveScales_SimpleFormWithoutValue_ThrowsAskingForIt()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid(Path.Combine("simple", "word-count.yaml")));

        var e = Assert.Throws<WorkflowParameterException>(() => spec.ResolveScales(null));

        Assert.Contains("give it as N=<integer>", Assert.Single(e.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void IsEdge_UserAndNodes_FollowTheDag()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        Assert.True(spec.IsEdge("user", "splitter"));
        Assert.True(spec.IsEdge("splitter", "mapper"));
        Assert.False(spec.IsEdge("user", "mapper"));
        Assert.False(spec.IsEdge("splitter", "reducer"));
        Assert.False(spec.IsEdge("mapper", "ghost"));
    }

    [Fact]
    public void WithServiceUrls_OverridesKnownAndRefusesUnknown()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        var moved = spec.WithServiceUrls(new Dictionary<string, Uri> { ["as2"] = new("https://10.0.0.2:9000") });

        Assert.Equal(new Uri("https://10.0.0.2:9000"), moved.Authorities.Services[1].Url);
        Assert.Equal(spec.Authorities.Services[0], moved.Authorities.Services[0]);
        Assert.Throws<ArgumentException>(() => spec.WithServiceUrls(new Dictionary<string, Uri> { ["as9"] = new("https://x") }));
    }

    [Fact]
    public void GetNode_Unknown_ThrowsArgumentException()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

        Assert.Throws<ArgumentException>(() => spec.GetNode("ghost"));
        Assert.False(spec.TryGetNode("ghost", out _));
    }
}
