var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
await app.RunAsync().ConfigureAwait(false);

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
