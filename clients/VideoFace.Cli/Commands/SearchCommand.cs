using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace VideoFace.Cli.Commands;

/// <summary>`search &lt;photo&gt;`: every past sighting of that face on the running server, best first.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var photo = new Argument<string>("photo") { Description = "Photo of the person to look for (the largest face is used)" };
        var cameras = new Option<string[]>("--camera") { Description = "Only these cameras (repeatable)", AllowMultipleArgumentsPerToken = false };
        var from = new Option<string?>("--from") { Description = "Only sightings at or after this time (ISO 8601)" };
        var to = new Option<string?>("--to") { Description = "Only sightings at or before this time (ISO 8601)" };
        var top = new Option<int>("--top") { Description = "Most sightings to return", DefaultValueFactory = _ => 50 };
        var min = new Option<float?>("--min-similarity") { Description = "Only sightings at least this similar (cosine)" };
        var face = new Option<int>("--face") { Description = "Which face of the photo, by size rank (0 = largest)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("search", "Search past footage by face: sightings with camera, time, similarity, identity and thumbnail")
        {
            photo, cameras, from, to, top, min, face,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var path = pr.GetValue(photo)!;
            if (!File.Exists(path)) throw new UserException($"photo not found: {path}");
            var fields = new List<KeyValuePair<string, string>>
            {
                new("top_k", pr.GetValue(top).ToString(CultureInfo.InvariantCulture)),
                new("face", pr.GetValue(face).ToString(CultureInfo.InvariantCulture)),
            };
            foreach (var c in pr.GetValue(cameras) ?? []) fields.Add(new("camera", c));
            if (pr.GetValue(from) is { } f) fields.Add(new("from", CheckTime(f, "--from")));
            if (pr.GetValue(to) is { } t) fields.Add(new("to", CheckTime(t, "--to")));
            if (pr.GetValue(min) is { } m) fields.Add(new("min_similarity", m.ToString(CultureInfo.InvariantCulture)));
            using var server = ServerClient.For(pr);
            var hits = await server.SearchAsync(path, fields, ct);
            if (pr.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(hits.GetRawText());
                return 0;
            }
            if (hits.GetArrayLength() == 0)
            {
                Console.WriteLine("No sightings found.");
                return 0;
            }
            var table = new Table().AddColumns("similarity", "identity", "camera", "start", "end", "track", "thumbnail");
            foreach (var h in hits.EnumerateArray())
                table.AddRow(h.GetProperty("similarity").GetSingle().ToString("0.000", CultureInfo.InvariantCulture),
                    Markup.Escape(Str(h, "identity_name") ?? Str(h, "identity_id") ?? "-"), Markup.Escape(Str(h, "camera") ?? ""),
                    Markup.Escape(Str(h, "start") ?? ""), Markup.Escape(Str(h, "end") ?? "(open)"), Markup.Escape(Str(h, "track_id") ?? ""),
                    Markup.Escape(Str(h, "thumbnail_url") ?? ""));
            Cli.Out.Write(table);
            return 0;
        });
        return cmd;
    }

    private static string CheckTime(string value, string option) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToString("o", CultureInfo.InvariantCulture)
            : throw new UserException($"{option}: not a time: '{value}' (use ISO 8601, e.g. 2026-11-29T10:00:00Z)");

    private static string? Str(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != System.Text.Json.JsonValueKind.Null ? v.ToString() : null;
}
