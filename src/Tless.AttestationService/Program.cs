using Tless.AttestationService;

// The attestation service as its own executable; `tless as serve` runs the same command.
return await ServeCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
