using Tless.Runtime.Sdk;

namespace Tless.Apps;

internal static class AppContextHelpers
{
    public static FunctionSuccessor SingleSuccessor(IFunctionContext context) => context.Successors.Count == 1
        ? context.Successors[0]
        : throw new AppWorkflowException(
            $"node '{context.Node}' must have exactly one successor, has {context.Successors.Count}; check the workflow file");

    public static FunctionSuccessor Successor(IFunctionContext context, string node) =>
        context.Successors.FirstOrDefault(s => string.Equals(s.Node, node, StringComparison.Ordinal))
        ?? throw new AppWorkflowException(
            $"node '{context.Node}' needs a successor named '{node}'; it has [{string.Join(", ", context.Successors.Select(s => s.Node))}]; check the workflow file");
}
