using System.CommandLine;

namespace Tless.Cli.Commands;

/// <summary><c>tless workflow ...</c>: workflow files (check) and, from the runtime, registration and upload.</summary>
internal static class WorkflowCommand
{
    public static Command Create()
    {
        var workflow = new Command("workflow", "Check, register and upload workflow files.");
        workflow.Subcommands.Add(WorkflowCheckCommand.Create());
        workflow.Subcommands.Add(WorkflowRegisterCommand.Create());
        workflow.Subcommands.Add(WorkflowUploadCommand.Create());
        return workflow;
    }
}
