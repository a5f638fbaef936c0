using System.Collections.Immutable;

namespace Tless.Workflows;

/// <summary>A position in a workflow file; line and column are 1-based.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// One problem in a workflow file, with its position and a stable code (see docs/workflows.md for the list).
/// <see cref="ToString"/> gives <c>file:line:col: code: message</c>.
/// </summary>
public sealed record WorkflowError(string Code, string Message, SourceLocation Location)
{
    public override string ToString() => $"{Location}: {Code}: {Message}";
}

/// <summary>The stable error codes of workflow loading.</summary>
public static class WorkflowErrorCodes
{
    public const string IoError = "io_error";
    public const string TooLarge = "too_large";
    public const string YamlSyntax = "yaml_syntax";
    public const string UnknownKey = "unknown_key";
    public const string WrongType = "wrong_type";
    public const string MissingKey = "missing_key";
    public const string DuplicateKey = "duplicate_key";
    public const string MixedForms = "mixed_forms";
    public const string BadIdentifier = "bad_identifier";
    public const string ReservedName = "reserved_name";
    public const string BadVersion = "bad_version";
    public const string BadParameter = "bad_parameter";
    public const string BadMode = "bad_mode";
    public const string BadUrl = "bad_url";
    public const string DuplicateAuthority = "duplicate_authority";
    public const string NoAuthorities = "no_authorities";
    public const string NoNodes = "no_nodes";
    public const string DuplicateNode = "duplicate_node";
    public const string BadScale = "bad_scale";
    public const string BadInput = "bad_input";
    public const string UnknownNode = "unknown_node";
    public const string Cycle = "cycle";
    public const string NoEntry = "no_entry";
    public const string Unreachable = "unreachable";
    public const string BadPolicy = "bad_policy";
    public const string UnknownAuthority = "unknown_authority";
}

/// <summary>A workflow file could not be loaded; <see cref="Errors"/> lists every problem found.</summary>
public sealed class WorkflowLoadException : TlessException
{
    public WorkflowLoadException(IEnumerable<WorkflowError> errors)
        : base(Describe(errors))
    {
        Errors = [.. errors];
    }

    /// <summary>Every problem, in file order.</summary>
    public ImmutableArray<WorkflowError> Errors { get; }

    private static string Describe(IEnumerable<WorkflowError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors.ToList();
        return list.Count switch
        {
            0 => "The workflow is invalid.",
            1 => "The workflow is invalid: " + list[0],
            _ => $"The workflow is invalid ({list.Count} problems):" + Environment.NewLine + string.Join(Environment.NewLine, list),
        };
    }
}

/// <summary>Run parameters do not give every symbolic scale a positive integer value.</summary>
public sealed class WorkflowParameterException : TlessException
{
    public WorkflowParameterException(IEnumerable<string> problems)
        : base(Describe(problems))
    {
        Problems = [.. problems];
    }

    public ImmutableArray<string> Problems { get; }

    private static string Describe(IEnumerable<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return "Bad workflow parameters: " + string.Join("; ", problems);
    }
}

/// <summary>The outcome of loading a workflow: a spec, or every problem found.</summary>
public sealed record WorkflowLoadResult
{
    public WorkflowSpec? Spec { get; init; }

    public ImmutableArray<WorkflowError> Errors { get; init; } = [];

    public bool IsValid => Spec is not null && Errors.IsEmpty;

    /// <summary>The spec, or a <see cref="WorkflowLoadException"/> with every error.</summary>
    public WorkflowSpec GetSpecOrThrow() => IsValid ? Spec! : throw new WorkflowLoadException(Errors);
}
