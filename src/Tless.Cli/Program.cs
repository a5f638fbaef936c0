using Tless.Cli.Commands;

return await TlessCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
