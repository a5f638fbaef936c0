using System.Security.Cryptography;
using System.Text;

namespace Tless.Workflows;

/// <summary>
/// Stable identifiers and the identifier rules of workflow files. Ids are the full lower-case hex SHA-256 (64 characters,
/// no truncation) of <c>"wf:" + name</c> and <c>"node:" + workflowName + "|" + nodeName</c> over UTF-8.
/// </summary>
public static class WorkflowIds
{
    /// <summary>The longest workflow, node, authority or parameter name accepted.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The ancestor value that stands for the user: the user is the parent of every entry node.</summary>
    public const string UserAncestor = "user";

    /// <summary><c>hex(SHA-256("wf:" + name))</c>.</summary>
    public static string WorkflowId(string workflowName)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowName);
        return Hash("wf:" + workflowName);
    }

    /// <summary><c>hex(SHA-256("node:" + workflowName + "|" + nodeName))</c>; '|' cannot occur in names, so the input is unambiguous.</summary>
    public static string NodeId(string workflowName, string nodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowName);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        return Hash("node:" + workflowName + "|" + nodeName);
    }

    /// <summary>Workflow and node names: 1..64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsName(string? value) => IsMade(value, allowDash: true, letterFirst: false);

    /// <summary>Authority ids (the user's and each service's): 1..64 characters of <c>[A-Za-z0-9_]</c>, as in policy literals.</summary>
    public static bool IsAuthorityId(string? value) => IsMade(value, allowDash: false, letterFirst: false);

    /// <summary>Parameter names: 1..64 characters of <c>[A-Za-z0-9_]</c> starting with a letter or '_' (so they differ from numbers).</summary>
    public static bool IsParameterName(string? value) => IsMade(value, allowDash: false, letterFirst: true);

    private static bool IsMade(string? value, bool allowDash, bool letterFirst)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength)
        {
            return false;
        }

        if (letterFirst && !(char.IsAsciiLetter(value[0]) || value[0] == '_'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowDash && c == '-')))
            {
                return false;
            }
        }

        return true;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
