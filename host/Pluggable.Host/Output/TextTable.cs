namespace Pluggable.Host.Output;

/// <summary>The aligned tables of the text output: columns two spaces apart, no trailing blanks.</summary>
internal static class TextTable
{
    public static void Write(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => all.Max(row => row[column].Length)).ToArray();
        foreach (var row in all)
        {
            Console.Out.WriteLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }
    }
}
