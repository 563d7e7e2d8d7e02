using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace VideoFace.Cli.Commands;

/// <summary>
/// `search &lt;photo&gt;...`: every past sighting of that face on the running server, best first. Several photos (of the same
/// person, or a folder of suspects) run one search each, with a progress bar, and list the hits of all of them.
/// </summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var photo = new Argument<string[]>("photo")
        {
            Description = "Photo(s) of the person to look for (the largest face of each is used); a folder means its images",
            Arity = ArgumentArity.OneOrMore,
        };
        var cameras = new Option<string[]>("--camera") { Description = "Only these cameras (repeatable)", AllowMultipleArgumentsPerToken = false };
        var from = new Option<string?>("--from") { Description = "Only sightings at or after this time (ISO 8601)" };
        var to = new Option<string?>("--to") { Description = "Only sightings at or before this time (ISO 8601)" };
        var top = new Option<int>("--top") { Description = "Most sightings to return", DefaultValueFactory = _ => 50 };
        var min = new Option<float?>("--min-similarity")
        {
            Description = "Lowest similarity (cosine, 0 to 1) to return; default the server's match threshold. Hits below that threshold are marked weak",
        };
        var face = new Option<int>("--face") { Description = "Which face of the photo, by size rank (0 = largest)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("search", "Search past footage by face: sightings with camera, time, similarity, identity and thumbnail")
        {
            photo, cameras, from, to, top, min, face,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var photos = PhotoArgs.Expand(pr.GetValue(photo)!);
            var fields = new List<KeyValuePair<string, string>>
            {
                new("top_k", pr.GetValue(top).ToString(CultureInfo.InvariantCulture)),
                new("face", pr.GetValue(face).ToString(CultureInfo.InvariantCulture)),
            };
            foreach (var c in pr.GetValue(cameras) ?? []) fields.Add(new("camera", c));
            if (pr.GetValue(from) is { } f) fields.Add(new("from", CheckTime(f, "--from")));
            if (pr.GetValue(to) is { } t) fields.Add(new("to", CheckTime(t, "--to")));
            if (pr.GetValue(min) is { } m)
            {
                if (!(m is >= 0 and <= 1)) throw new UserException($"--min-similarity must be between 0 and 1 (was {m.ToString(CultureInfo.InvariantCulture)})");
                fields.Add(new("min_similarity", m.ToString(CultureInfo.InvariantCulture)));
            }
            using var server = ServerClient.For(pr);
            var (hits, messages, failures) = await SearchAllAsync(pr, server, photos, fields, ct);
            if (pr.GetValue(GlobalOptions.Json))
            {
                // one photo: the server's answer as it is (hits, thresholds, message); several: one array of every hit, each
                // naming its photo, and each photo's message on stderr
                Console.WriteLine(photos.Count == 1 && messages.Count == 1
                    ? messages[0].Answer.GetRawText()
                    : new JsonArray(hits.Select(h => (JsonNode)WithPhoto(h.Hit, h.Photo)).ToArray()).ToJsonString());
                if (photos.Count > 1)
                    foreach (var (p, answer) in messages)
                        if (Str(answer, "message") is { } note) Console.Error.WriteLine($"{p}: {note}");
                foreach (var (p, error) in failures) Console.Error.WriteLine($"{p}: {error}");
                return failures.Count == photos.Count ? 1 : 0;
            }
            foreach (var (p, error) in failures) Console.Error.WriteLine($"skipped {p}: {error}");
            if (failures.Count == photos.Count) return 1;
            // the server says why nothing came back (e.g. nothing at or above the match threshold) or how many hits are weak
            foreach (var (p, answer) in messages)
                if (Str(answer, "message") is { } note) Console.WriteLine(photos.Count > 1 ? $"{Path.GetFileName(p)}: {note}" : note);
            if (hits.Count == 0)
            {
                Console.WriteLine("No sightings found.");
                return 0;
            }
            var table = new Table().AddColumns("similarity", "identity", "camera", "start", "end", "track", "thumbnail");
            if (photos.Count > 1) table.AddColumn("photo");
            foreach (var (h, p) in hits)
            {
                var row = new List<string>
                {
                    h.GetProperty("similarity").GetSingle().ToString("0.000", CultureInfo.InvariantCulture)
                        + (h.TryGetProperty("weak", out var w) && w.ValueKind == JsonValueKind.True ? " weak" : ""),
                    Markup.Escape(Str(h, "identity_name") ?? Str(h, "identity_id") ?? "-"), Markup.Escape(Str(h, "camera") ?? ""),
                    Markup.Escape(Str(h, "start") ?? ""), Markup.Escape(Str(h, "end") ?? "(open)"), Markup.Escape(Str(h, "track_id") ?? ""),
                    Markup.Escape(Str(h, "thumbnail_url") ?? ""),
                };
                if (photos.Count > 1) row.Add(Markup.Escape(Path.GetFileName(p)));
                table.AddRow(row.ToArray());
            }
            Cli.Out.Write(table);
            return 0;
        });
        return cmd;
    }

    private static JsonObject WithPhoto(JsonElement hit, string photo)
    {
        var o = JsonNode.Parse(hit.GetRawText())!.AsObject();
        o["photo"] = photo;
        return o;
    }

    /// <summary>
    /// One search per photo (progress bar when interactive); hits of all, best first; each photo's whole answer (for its
    /// message); photos the server refused.
    /// </summary>
    private static async Task<(List<(JsonElement Hit, string Photo)> Hits, List<(string Photo, JsonElement Answer)> Answers, List<(string Photo, string Error)> Failures)>
        SearchAllAsync(ParseResult pr, ServerClient server, List<string> photos, List<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        var hits = new List<(JsonElement, string)>();
        var answers = new List<(string, JsonElement)>();
        var failures = new List<(string, string)>();
        async Task OneAsync(string p)
        {
            try
            {
                var answer = await server.SearchAsync(p, fields, ct);
                answers.Add((p, answer));
                foreach (var h in answer.GetProperty("hits").EnumerateArray()) hits.Add((h.Clone(), p));
            }
            catch (UserException ex) when (photos.Count > 1)
            {
                failures.Add((p, ex.Message)); // one bad photo among many: say so, go on
            }
        }
        if (Cli.Interactive(pr))
        {
            await Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(photos.Count == 1 ? "searching" : $"searching with {photos.Count} photos", maxValue: photos.Count);
                    foreach (var p in photos)
                    {
                        await OneAsync(p);
                        task.Increment(1);
                    }
                });
        }
        else
        {
            foreach (var p in photos) await OneAsync(p);
        }
        hits.Sort((a, b) => b.Item1.GetProperty("similarity").GetSingle().CompareTo(a.Item1.GetProperty("similarity").GetSingle()));
        return (hits, answers, failures);
    }

    private static string CheckTime(string value, string option) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToString("o", CultureInfo.InvariantCulture)
            : throw new UserException($"{option}: not a time: '{value}' (use ISO 8601, e.g. 2026-11-29T10:00:00Z)");

    private static string? Str(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != System.Text.Json.JsonValueKind.Null ? v.ToString() : null;
}
