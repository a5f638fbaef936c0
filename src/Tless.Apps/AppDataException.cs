namespace Tless.Apps;

/// <summary>
/// Input data of a workflow (a CSV row, an image file, a model) is malformed. <see cref="Input"/> names the object
/// and <see cref="Line"/> the 1-based line (text) or record (binary) where the problem is, 0 when it concerns the
/// whole object.
/// </summary>
public sealed class AppDataException : TlessException
{
    public AppDataException(string input, int line, string problem)
        : base(Format(input, line, problem))
    {
        Input = input;
        Line = line;
        Problem = problem;
    }

    public AppDataException(string input, int line, string problem, Exception? innerException)
        : base(Format(input, line, problem), innerException)
    {
        Input = input;
        Line = line;
        Problem = problem;
    }

    /// <summary>The input (object) name.</summary>
    public string Input { get; }

    /// <summary>1-based line or record number; 0 when the problem concerns the whole input.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Format(string input, int line, string problem) =>
        line > 0 ? $"{input}:{line}: {problem}" : $"{input}: {problem}";
}

/// <summary>A run parameter (<c>--param k=v</c>) has a value the workflow cannot use.</summary>
public sealed class AppParameterException : TlessException
{
    public AppParameterException(string name, string problem)
        : base($"parameter '{name}': {problem}")
    {
        Name = name;
    }

    /// <summary>The parameter's name.</summary>
    public string Name { get; }
}

/// <summary>The workflow file does not wire a function as it needs (for example a missing successor node).</summary>
public sealed class AppWorkflowException : TlessException
{
    public AppWorkflowException(string message)
        : base(message)
    {
    }
}
