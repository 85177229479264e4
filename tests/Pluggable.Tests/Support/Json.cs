using System.Text.Json;

namespace Pluggable.Tests.Support;

/// <summary>Reading the CLI's JSON output in assertions.</summary>
public static class Json
{
    public static JsonElement Parse(CommandResult result)
    {
        try
        {
            using var document = JsonDocument.Parse(result.Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            Assert.Fail($"stdout is not one JSON document ({error.Message}): {result}");
            throw;
        }
    }

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static IReadOnlyList<string> Providers(this JsonElement sealReport) =>
        sealReport.GetProperty("attempts").EnumerateArray().Select(a => a.Text("provider")).ToList();
}
