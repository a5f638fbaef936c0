using System.Collections.Immutable;

namespace Tless.Workflows;

/// <summary>Defaults that the simple form (which names no authorities, functions or packages) takes.</summary>
public sealed record WorkflowLoadOptions
{
    /// <summary>The shared default: user <c>user</c>, one service <c>as1</c> at https://127.0.0.1:8701.</summary>
    public static WorkflowLoadOptions Default { get; } = new();

    /// <summary>The user's authority id when the file gives none.</summary>
    public string DefaultUser { get; init; } = "user";

    /// <summary>The attestation services when the file gives none (simple form only; the full form must list them).</summary>
    public ImmutableArray<AuthorityService> DefaultServices { get; init; } =
        [new AuthorityService { Id = "as1", Url = new Uri("https://127.0.0.1:8701") }];

    /// <summary>
    /// Simple form: a node without <c>function</c> runs <c>{namespace}.{PascalName}Function</c> (for example
    /// <c>mapper</c> -> <c>MapperFunction</c>, <c>fetch-public</c> -> <c>FetchPublicFunction</c>); no namespace when null.
    /// </summary>
    public string? DefaultFunctionNamespace { get; init; }

    /// <summary>Simple form: the package of a node without <c>package</c>; null means the workflow name.</summary>
    public string? DefaultPackage { get; init; }

    /// <summary>For <see cref="WorkflowLoader.LoadFromString"/>: the folder that input paths are relative to (default: the file name's folder).</summary>
    public string? BaseDirectory { get; init; }
}
