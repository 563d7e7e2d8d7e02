using System.Net.Http.Headers;
using System.Text;
using VideoFace.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace VideoFace.Api.Tests;

/// <summary>
/// Bad input and attacks as a key holder would send them (photos, JSON bodies, ids, names, URLs, blob paths, keys),
/// against the real embedded host. Each case asserts the status, a problem body with the expected message, that the
/// host still serves, and that the seeded camera, person and rule are intact. Prints cases tried, refused and 5xx seen.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AttackCorpusTests(ApiHostFixture fx, ITestOutputHelper output)
{
    private sealed record Case(string Name, int[] Statuses, string? Message, Func<Task<HttpResponseMessage>> Send, bool ServerLevel = false);

    [Fact]
    public async Task AttackCorpus_EveryCase_IsRefusedWithAProblemBody_AndTheHostServesWithDataIntact()
    {
        using var admin = fx.Client(fx.AdminKey);
        using var viewer = fx.Client(fx.ViewerKey);
        using var anonymous = fx.Client(null);
        var cases = Cases(admin, viewer, anonymous);
        int tried = 0, refused = 0, serverErrors = 0;
        var failures = new List<string>();
        foreach (var c in cases)
        {
            tried++;
            try
            {
                using var r = await c.Send();
                int status = (int)r.StatusCode;
                if (status >= 500) serverErrors++;
                if (status is >= 400 and < 500) refused++;
                Assert.True(c.Statuses.Contains(status), $"status {status}, expected {string.Join(" or ", c.Statuses)}: {await r.Content.ReadAsStringAsync()}");
                var problem = c.ServerLevel ? default : await ApiHostFixture.ReadProblemAsync(r);
                if (c.Message is not null) Assert.Contains(c.Message, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
                using var health = await anonymous.GetAsync("/health");
                Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
                await fx.AssertSeedIntactAsync(admin);
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                failures.Add($"{c.Name}: {ex.Message}");
            }
        }
        var summary = $"attack corpus: {tried} cases tried, {refused} refused with 4xx, {serverErrors} answered 5xx";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(tried >= 100, summary);
        Assert.Equal(0, serverErrors);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
    }

    private List<Case> Cases(HttpClient admin, HttpClient viewer, HttpClient anonymous)
    {
        var tony = File.ReadAllBytes(TestData.Face("Tony_Blair", 6));
        var png1x1 = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        var hugePng = PngHeader(100_000, 100_000);
        var zeros = "[" + string.Join(',', Enumerable.Repeat("0", fx.Dimension)) + "]";
        var ones = "[" + string.Join(',', Enumerable.Repeat("0.1", fx.Dimension)) + "]";
        string Long(int n, char c = 'a') => new(c, n);
        var list = new List<Case>();
        void Add(string name, int status, string? message, Func<Task<HttpResponseMessage>> send) => list.Add(new Case(name, [status], message, send));
        void AddAny(string name, int[] statuses, string? message, Func<Task<HttpResponseMessage>> send) => list.Add(new Case(name, statuses, message, send));

        // photos to POST /api/search
        Add("search: zero-byte photo", 400, "empty", () => Photo(admin, []));
        Add("search: truncated JPEG (header only)", 400, "image", () => Photo(admin, tony[..200]));
        Add("search: fake JPEG (magic then text)", 400, "image", () => Photo(admin, [0xFF, 0xD8, 0xFF, .. "not really a jpeg"u8.ToArray()]));
        Add("search: text file named .jpg", 400, "not an image", () => Photo(admin, "hello, I am a text file"u8.ToArray()));
        Add("search: PNG signature only", 400, "image", () => Photo(admin, png1x1[..8]));
        Add("search: GIF magic and garbage", 400, "image", () => Photo(admin, "GIF89a\u0001\u0000garbage"u8.ToArray()));
        Add("search: 1x1 PNG has no face", 400, "no face", () => Photo(admin, png1x1));
        Add("search: PNG claiming 100000x100000 pixels", 400, "pixel", () => Photo(admin, hugePng));
        Add("search: 21 MB photo", 413, "at most", () => Photo(admin, new byte[21 * 1024 * 1024]));
        Add("search: multipart without a file", 400, "upload a photo", () => Form(admin, "/api/search", [("top_k", "5")], []));
        Add("search: face index out of range", 400, "does not exist", () => Photo(admin, tony, ("face", "99")));
        Add("search: negative face index", 400, "does not exist", () => Photo(admin, tony, ("face", "-1")));
        Add("search: face not a number", 400, "whole number", () => Photo(admin, tony, ("face", "first")));
        Add("search: top_k not a number", 400, "whole number", () => Photo(admin, tony, ("top_k", "lots")));
        Add("search: from not a date", 400, "date", () => Photo(admin, tony, ("from", "yesterday-ish")));
        Add("search: negative min_similarity", 400, "min_similarity", () => Photo(admin, tony, ("min_similarity", "-0.2")));
        Add("search: NaN min_similarity", 400, "min_similarity", () => Photo(admin, tony, ("min_similarity", "NaN")));
        Add("search: min_similarity above 1", 400, "min_similarity", () => Photo(admin, tony, ("min_similarity", "1.01")));
        Add("search: min_similarity not a number", 400, "min_similarity", () => Photo(admin, tony, ("min_similarity", "high")));
        Add("search: 101 camera filters", 400, "at most 100", () => Photo(admin, tony, Enumerable.Range(0, 101).Select(i => ("camera", $"c{i}")).ToArray()));
        // JSON searches
        Add("search: malformed JSON", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", "{\"embedding\": [1, 2"));
        Add("search: JSON array body", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", "[1, 2, 3]"));
        Add("search: empty embedding", 400, "embedding", () => Send(admin, HttpMethod.Post, "/api/search", "{\"embedding\": []}"));
        Add("search: no embedding", 400, "embedding", () => Send(admin, HttpMethod.Post, "/api/search", "{}"));
        Add("search: wrong embedding dimension", 400, "values", () => Send(admin, HttpMethod.Post, "/api/search", "{\"embedding\": [0.5, 0.5, 0.5]}"));
        Add("search: all-zero embedding", 400, "all zeros", () => Send(admin, HttpMethod.Post, "/api/search", $"{{\"embedding\": {zeros}}}"));
        Add("search: embedding of strings", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", "{\"embedding\": [\"a\", \"b\"]}"));
        Add("search: NaN in embedding", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", "{\"embedding\": [NaN]}"));
        Add("search: JSON null", 400, "embedding", () => Send(admin, HttpMethod.Post, "/api/search", "null"));
        Add("search: JSON nested 1000 deep", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", new string('[', 1000) + new string(']', 1000)));
        Add("search: top_k a string", 400, "not valid JSON", () => Send(admin, HttpMethod.Post, "/api/search", $"{{\"embedding\": {ones}, \"top_k\": \"ten\"}}"));
        Add("search: 101 cameras in JSON", 400, "at most 100", () => Send(admin, HttpMethod.Post, "/api/search",
            $"{{\"embedding\": {ones}, \"cameras\": [{string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"c{i}\""))}]}}"));
        Add("search: identity_id 65 characters", 400, "identity_id", () => Send(admin, HttpMethod.Post, "/api/search", $"{{\"embedding\": {ones}, \"identity_id\": \"{Long(65)}\"}}"));
        Add("search: negative min_similarity in JSON", 400, "min_similarity", () => Send(admin, HttpMethod.Post, "/api/search", $"{{\"embedding\": {ones}, \"min_similarity\": -1}}"));
        Add("search: min_similarity 1e39 in JSON", 400, null, () => Send(admin, HttpMethod.Post, "/api/search", $"{{\"embedding\": {ones}, \"min_similarity\": 1e39}}"));
        Add("search: text/plain body", 415, null, () => Send(admin, HttpMethod.Post, "/api/search", "embedding=1", "text/plain"));
        Add("search: no body at all", 415, null, () => admin.PostAsync("/api/search", null));

        // enrolment
        Add("enrol: JSON instead of a form", 415, "does not accept", () => Send(admin, HttpMethod.Post, "/api/persons", "{\"name\": \"x\"}"));
        Add("enrol: no name", 400, "'name' field", () => Form(admin, "/api/persons", [], [("a.jpg", tony)]));
        Add("enrol: blank name", 400, "'name' field", () => Form(admin, "/api/persons", [("name", "   ")], [("a.jpg", tony)]));
        Add("enrol: name of 201 characters", 400, "at most 200", () => Form(admin, "/api/persons", [("name", Long(201))], [("a.jpg", tony)]));
        Add("enrol: name of 200,000 characters", 400, "at most 200", () => Form(admin, "/api/persons", [("name", Long(200_000))], [("a.jpg", tony)]));
        Add("enrol: name with control characters", 400, "control", () => Form(admin, "/api/persons", [("name", "Eve\u0007\u001b[31m")], [("a.jpg", tony)]));
        Add("enrol: no files", 400, "no image files", () => Form(admin, "/api/persons", [("name", "Nobody")], []));
        Add("enrol: 1,500 files", 413, "limit", () => Form(admin, "/api/persons", [("name", "Many")], Enumerable.Range(0, 1500).Select(i => ($"{i}.jpg", new byte[] { 1 })).ToArray()));
        Add("enrol: 101 files", 413, "at most 100", () => Form(admin, "/api/persons", [("name", "Many")], Enumerable.Range(0, 101).Select(i => ($"{i}.jpg", new byte[] { 1 })).ToArray()));
        Add("enrol: only text files", 400, "no usable face", () => Form(admin, "/api/persons", [("name", "Texty")], [("a.jpg", "text"u8.ToArray()), ("b.jpg", "more"u8.ToArray())]));
        Add("enrol: zero-byte file", 400, "no usable face", () => Form(admin, "/api/persons", [("name", "Empty")], [("a.jpg", [])]));
        Add("enrol: 21 MB photo", 400, "no usable face", () => Form(admin, "/api/persons", [("name", "Big")], [("big.jpg", new byte[21 * 1024 * 1024])]));
        Add("enrol: file name of 300 characters", 400, "file name", () => Form(admin, "/api/persons", [("name", "Longfile")], [(Long(300) + ".jpg", tony)]));
        Add("enrol: force neither true nor false", 400, "force", () => Form(admin, "/api/persons", [("name", "Forceful"), ("force", "yes please")], [("a.jpg", tony)]));
        Add("enrol: photo without a face", 400, "no usable face", () => Form(admin, "/api/persons", [("name", "Dot")], [("dot.png", png1x1)]));

        // cameras
        Add("camera: id of 65 characters", 400, "camera id", () => Json(admin, HttpMethod.Put, $"/api/cameras/{Long(65)}", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: id with a space", 400, "camera id", () => Json(admin, HttpMethod.Put, "/api/cameras/a%20b", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: id with unicode", 400, "camera id", () => Json(admin, HttpMethod.Put, "/api/cameras/caméra", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: id with a quote", 400, "camera id", () => Json(admin, HttpMethod.Put, "/api/cameras/a%22b", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: id with a semicolon", 400, "camera id", () => Json(admin, HttpMethod.Put, "/api/cameras/a;rm", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: id an encoded slash", 400, "camera id", () => Json(admin, HttpMethod.Put, "/api/cameras/a%2Fb", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("camera: no url", 400, "url is required", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"fps\": 2}"));
        Add("camera: empty url", 400, "url is required", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"\"}"));
        Add("camera: blank url", 400, "url is required", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"   \"}"));
        Add("camera: url of 3,000 characters", 400, "at most 2048", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", $"{{\"url\": \"rtsp://127.0.0.1:9/{Long(3000)}\"}}"));
        Add("camera: url with a newline", 400, "control", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\\n-f tty\"}"));
        Add("camera: url with NUL", 400, "control", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\\u0000x\"}"));
        Add("camera: fps 0", 400, "fps", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\", \"fps\": 0}"));
        Add("camera: fps negative", 400, "fps", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\", \"fps\": -5}"));
        Add("camera: fps 1000", 400, "fps", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\", \"fps\": 1000}"));
        Add("camera: fps a string", 400, "not valid JSON", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\", \"fps\": \"fast\"}"));
        Add("camera: enabled a string", 400, "not valid JSON", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://127.0.0.1:9/s\", \"enabled\": \"yes\"}"));
        Add("camera: name of 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", $"{{\"url\": \"rtsp://127.0.0.1:9/s\", \"name\": \"{Long(201)}\"}}"));
        Add("camera: name of 1 MB", 413, null, () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", $"{{\"url\": \"rtsp://127.0.0.1:9/s\", \"name\": \"{Long(1024 * 1024)}\"}}"));
        Add("camera: zone of 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", $"{{\"url\": \"rtsp://127.0.0.1:9/s\", \"zone\": \"{Long(201)}\"}}"));
        Add("camera: malformed JSON", 400, "not valid JSON", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": "));
        Add("camera: JSON null", 400, null, () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "null"));
        Add("camera: text/plain body", 415, null, () => Send(admin, HttpMethod.Put, "/api/cameras/c-new", "url=rtsp://127.0.0.1:9/s", "text/plain"));
        Add("camera: overwrite the seed camera with a bad url", 400, "control", () => Json(admin, HttpMethod.Put, $"/api/cameras/{ApiHostFixture.SeedCamera}", "{\"url\": \"rtsp://127.0.0.1:9/s\\r\\n-i x\"}"));
        // the URL policy (VideoFace:Security): server-side request forgery and local files, refused with 400 naming the rule
        Add("camera: cloud metadata address", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"http://169.254.169.254/latest/meta-data/\"}"));
        Add("camera: metadata address as IPv4-mapped IPv6", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://[::ffff:169.254.169.254]/x\"}"));
        Add("camera: private network not allowed", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://10.1.2.3/stream\"}"));
        Add("camera: /etc/passwd as a file URL", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"file:///etc/passwd\"}"));
        Add("camera: /etc/passwd as a path", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"/etc/passwd\"}"));
        Add("camera: the server's own api-key file", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new",
            System.Text.Json.JsonSerializer.Serialize(new { url = Path.Combine(fx.DataFolder, "api-key") })));
        Add("camera: listening UDP input", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"udp://0.0.0.0:5000\"}"));
        Add("camera: concat protocol", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"concat:/etc/passwd|/etc/hosts\"}"));
        Add("camera: javascript scheme", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"javascript:alert(1)\"}"));
        Add("camera: gopher scheme", 400, "refused", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"gopher://127.0.0.1:6379/_FLUSHALL\"}"));
        Add("camera: host that does not resolve", 400, "does not resolve", () => Json(admin, HttpMethod.Put, "/api/cameras/c-new", "{\"url\": \"rtsp://no-such-host.invalid/s\"}"));
        Add("rule: webhook to the metadata address", 400, "refused", () => Json(admin, HttpMethod.Post, "/api/alerts/rules",
            "{\"kind\": \"unknown\", \"webhook_url\": \"http://169.254.169.254/hook\", \"webhook_secret\": \"s\"}"));
        Add("rule: webhook to a private address", 400, "refused", () => Json(admin, HttpMethod.Post, "/api/alerts/rules",
            "{\"kind\": \"unknown\", \"webhook_url\": \"http://10.1.2.3/hook\", \"webhook_secret\": \"s\"}"));
        Add("rule: webhook to a host that does not resolve", 400, "does not resolve", () => Json(admin, HttpMethod.Post, "/api/alerts/rules",
            "{\"kind\": \"unknown\", \"webhook_url\": \"https://no-such-host.invalid/hook\", \"webhook_secret\": \"s\"}"));
        Add("camera: get unknown", 404, "no camera", () => admin.GetAsync("/api/cameras/nope"));
        Add("camera: get 1,000-character id", 404, "no camera", () => admin.GetAsync($"/api/cameras/{Long(1000)}"));
        Add("camera: delete unknown", 404, "no camera", () => admin.DeleteAsync("/api/cameras/nope"));
        Add("camera: preview unknown", 404, "no camera", () => admin.GetAsync("/api/cameras/nope/preview"));
        Add("camera: preview.jpg unknown", 404, "no camera", () => admin.GetAsync("/api/cameras/nope/preview.jpg"));
        Add("camera: preview of a disabled camera", 404, "no analysed frame", () => admin.GetAsync($"/api/cameras/{ApiHostFixture.SeedCamera}/preview"));
        Add("camera: PATCH is not a method here", 405, "not allowed", () => Json(admin, HttpMethod.Patch, "/api/cameras/x", "{}"));

        // persons
        Add("person: get unknown", 404, "no person", () => admin.GetAsync("/api/persons/u-nobody"));
        Add("person: get id of 65 characters", 400, "at most 64", () => admin.GetAsync($"/api/persons/{Long(65)}"));
        Add("person: history limit not a number", 400, null, () => admin.GetAsync($"/api/persons/{fx.TonyId}?limit=many"));
        Add("person: delete unknown", 404, "no person", () => admin.DeleteAsync("/api/persons/u-nobody"));
        Add("person: rename with empty name", 400, "name is required", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/name", "{\"name\": \"\"}"));
        Add("person: rename to 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/name", $"{{\"name\": \"{Long(201)}\"}}"));
        Add("person: rename with control characters", 400, "control", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/name", "{\"name\": \"T\\u0000ony\"}"));
        Add("person: rename unknown", 404, "no person", () => Json(admin, HttpMethod.Post, "/api/persons/u-nobody/name", "{\"name\": \"Ghost\"}"));
        Add("person: rename malformed JSON", 400, "not valid JSON", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/name", "{name: Tony}"));
        Add("person: merge without into", 400, "'into'", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/merge", "{\"into\": \"\"}"));
        Add("person: merge unknown", 404, "not a person", () => Json(admin, HttpMethod.Post, "/api/persons/u-nobody/merge", $"{{\"into\": \"{fx.TonyId}\"}}"));
        Add("person: merge into unknown", 404, "not a person", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/merge", "{\"into\": \"u-nobody\"}"));
        AddAny("person: merge into itself", [400, 409], null, () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/merge", $"{{\"into\": \"{fx.TonyId}\"}}"));
        Add("person: merge into 65 characters", 400, "at most 64", () => Json(admin, HttpMethod.Post, $"/api/persons/{fx.TonyId}/merge", $"{{\"into\": \"{Long(65)}\"}}"));

        // alert rules
        const string rules = "/api/alerts/rules";
        Add("rule: nothing to watch", 400, "say what to watch", () => Json(admin, HttpMethod.Post, rules, "{}"));
        Add("rule: unknown kind", 400, "unknown rule kind", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"everyone\"}"));
        Add("rule: kind of 10,000 characters", 400, "unknown rule kind", () => Json(admin, HttpMethod.Post, rules, $"{{\"kind\": \"{Long(10_000)}\"}}"));
        Add("rule: id with a space", 400, "rule id", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"id\": \"a b\"}"));
        Add("rule: id of 65 characters", 400, "rule id", () => Json(admin, HttpMethod.Post, rules, $"{{\"kind\": \"unknown\", \"id\": \"{Long(65)}\"}}"));
        Add("rule: name of 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Post, rules, $"{{\"kind\": \"unknown\", \"name\": \"{Long(201)}\"}}"));
        Add("rule: person of 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Post, rules, $"{{\"person\": \"{Long(201)}\"}}"));
        Add("rule: 101 cameras", 400, "at most 100", () => Json(admin, HttpMethod.Post, rules,
            $"{{\"kind\": \"unknown\", \"cameras\": [{string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"c{i}\""))}]}}"));
        Add("rule: camera id with a slash", 400, "camera id", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"cameras\": [\"../x\"]}"));
        Add("rule: garbage window", 400, "time window", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"windows\": [\"whenever\"]}"));
        Add("rule: window with an unknown zone", 400, null, () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"windows\": [\"Mon 08:00-18:00 Mars/Olympus\"]}"));
        Add("rule: 101 windows", 400, "at most 100", () => Json(admin, HttpMethod.Post, rules,
            $"{{\"kind\": \"unknown\", \"windows\": [{string.Join(',', Enumerable.Repeat("\"daily 08:00-09:00\"", 101))}]}}"));
        Add("rule: negative cooldown", 400, "cooldown_seconds", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"cooldown_seconds\": -1}"));
        Add("rule: cooldown of a year", 400, "cooldown_seconds", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"cooldown_seconds\": 31536000}"));
        Add("rule: webhook without secret", 400, "secret", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"webhook_url\": \"https://hooks.example/x\"}"));
        Add("rule: secret without webhook", 400, "webhook_secret without webhook_url", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"webhook_secret\": \"s\"}"));
        Add("rule: ftp webhook", 400, "webhook", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"webhook_url\": \"ftp://hooks.example/x\", \"webhook_secret\": \"s\"}"));
        Add("rule: relative webhook", 400, "webhook", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"webhook_url\": \"/hook\", \"webhook_secret\": \"s\"}"));
        Add("rule: webhook of 3,000 characters", 400, "at most 2048", () => Json(admin, HttpMethod.Post, rules,
            $"{{\"kind\": \"unknown\", \"webhook_url\": \"https://h/{Long(3000)}\", \"webhook_secret\": \"s\"}}"));
        Add("rule: secret of 300 characters", 400, "webhook_secret", () => Json(admin, HttpMethod.Post, rules,
            $"{{\"kind\": \"unknown\", \"webhook_url\": \"https://hooks.example/x\", \"webhook_secret\": \"{Long(300)}\"}}"));
        Add("rule: person with kind unknown", 400, "only goes with kind", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"person\": \"Tony\"}"));
        Add("rule: cameras a string", 400, "not valid JSON", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": \"unknown\", \"cameras\": \"C1\"}"));
        Add("rule: malformed JSON", 400, "not valid JSON", () => Json(admin, HttpMethod.Post, rules, "{\"kind\": "));
        Add("rule: edit unknown", 404, "no alert rule", () => Json(admin, HttpMethod.Put, $"{rules}/nope", "{\"kind\": \"unknown\"}"));
        Add("rule: edit seed with a bad window", 400, "time window", () => Json(admin, HttpMethod.Put, $"{rules}/{ApiHostFixture.SeedRule}", "{\"kind\": \"unknown\", \"windows\": [\"x\"]}"));
        Add("rule: get unknown", 404, "no alert rule", () => admin.GetAsync($"{rules}/nope"));
        Add("rule: get 1,000-character id", 404, "no alert rule", () => admin.GetAsync($"{rules}/{Long(1000)}"));
        Add("rule: delete unknown", 404, "no alert rule", () => admin.DeleteAsync($"{rules}/nope"));
        Add("alerts: WebSocket endpoint without upgrade", 400, "WebSocket", () => admin.GetAsync("/api/alerts/ws"));
        Add("alerts: recent count not a number", 400, null, () => admin.GetAsync("/api/alerts/recent?count=all"));
        Add("events: recent count not a number", 400, null, () => admin.GetAsync("/api/events/recent?count=all"));

        // blob paths
        // Kestrel decodes %2E%2E and removes the dot segments: the request becomes /api/api-key, which is no route
        Add("blob: traversal with encoded dots", 404, "nothing at", () => admin.GetAsync("/api/blobs/thumbnails/%2E%2E/%2E%2E/api-key"));
        Add("blob: traversal to /etc/passwd", 400, "blob key", () => admin.GetAsync("/api/blobs/..%2F..%2F..%2Fetc%2Fpasswd"));
        Add("blob: absolute path", 400, "blob key", () => admin.GetAsync("/api/blobs/%2Fetc%2Fpasswd"));
        Add("blob: backslashes", 400, "blob key", () => admin.GetAsync("/api/blobs/..%5C..%5Capi-key"));
        // Kestrel itself refuses a NUL in the path, before any middleware: a bare 400 (the only case without a problem body)
        list.Add(new Case("blob: NUL in key", [400], null, () => admin.GetAsync("/api/blobs/a%00b.jpg"), ServerLevel: true));
        Add("blob: key with a space", 400, "blob key", () => admin.GetAsync("/api/blobs/a%20b.jpg"));
        Add("blob: key of 2,000 characters", 400, "at most 1024", () => admin.GetAsync($"/api/blobs/{Long(2000)}"));
        Add("blob: key of 600 characters", 400, "blob key", () => admin.GetAsync($"/api/blobs/{Long(600)}"));
        Add("blob: a folder", 404, "no blob", () => admin.GetAsync("/api/blobs/folder-key/inner"));
        Add("blob: a folder with a slash", 400, "blob key", () => admin.GetAsync("/api/blobs/folder-key/"));
        Add("blob: unknown", 404, "no blob", () => admin.GetAsync("/api/blobs/thumbnails/x/none.jpg"));
        Add("blob: forged signature", 403, "signature", () => anonymous.GetAsync("/api/blobs/thumbnails/x/none.jpg?exp=9999999999&sig=AAAA"));
        Add("blob: signature without expiry", 403, "signature", () => anonymous.GetAsync("/api/blobs/thumbnails/x/none.jpg?sig=AAAA"));
        Add("blob: the key file through a signed URL shape", 403, "signature", () => anonymous.GetAsync("/api/blobs/..%2Fapi-key?exp=1&sig=x"));

        // keys and roles
        Add("key: none", 401, "API key is required", () => anonymous.GetAsync("/api/cameras"));
        Add("key: wrong", 401, "not valid", () => WithKey("not-the-key", "/api/cameras"));
        Add("key: empty header", 401, null, () => WithKey("", "/api/cameras"));
        Add("key: 10,000 characters", 401, "not valid", () => WithKey(Long(10_000), "/api/cameras"));
        Add("key: admin key with a character changed", 401, "not valid", () => WithKey(fx.AdminKey[..^1] + (fx.AdminKey[^1] == 'a' ? 'b' : 'a'), "/api/cameras"));
        Add("key: bearer garbage", 401, "not valid", () => Bearer("garbage"));
        Add("key: query key wrong", 401, "not valid", () => anonymous.GetAsync("/api/persons?api_key=wrong"));
        Add("role: viewer adds a camera", 403, "admin role", () => Json(viewer, HttpMethod.Put, "/api/cameras/c-viewer", "{\"url\": \"rtsp://127.0.0.1:9/s\"}"));
        Add("role: viewer removes the seed camera", 403, "admin role", () => viewer.DeleteAsync($"/api/cameras/{ApiHostFixture.SeedCamera}"));
        Add("role: viewer enrols", 403, "admin role", () => Form(viewer, "/api/persons", [("name", "Sneaky")], [("a.jpg", tony)]));
        Add("role: viewer erases a person", 403, "admin role", () => viewer.DeleteAsync($"/api/persons/{fx.TonyId}"));
        Add("role: viewer renames", 403, "admin role", () => Json(viewer, HttpMethod.Post, $"/api/persons/{fx.TonyId}/name", "{\"name\": \"Mallory\"}"));
        Add("role: viewer merges", 403, "admin role", () => Json(viewer, HttpMethod.Post, $"/api/persons/{fx.TonyId}/merge", "{\"into\": \"u-x\"}"));
        Add("role: viewer adds a rule", 403, "admin role", () => Json(viewer, HttpMethod.Post, rules, "{\"kind\": \"unknown\"}"));
        Add("role: viewer edits a rule", 403, "admin role", () => Json(viewer, HttpMethod.Put, $"{rules}/{ApiHostFixture.SeedRule}", "{\"kind\": \"enrolled\"}"));
        Add("role: viewer removes a rule", 403, "admin role", () => viewer.DeleteAsync($"{rules}/{ApiHostFixture.SeedRule}"));
        Add("role: viewer makes itself an admin key", 403, "admin role", () => Json(viewer, HttpMethod.Post, "/api/keys", "{\"role\": \"admin\"}"));
        Add("role: viewer lists keys", 403, "admin role", () => viewer.GetAsync("/api/keys"));
        Add("keys: unknown role", 400, "unknown role", () => Json(admin, HttpMethod.Post, "/api/keys", "{\"role\": \"root\"}"));
        Add("keys: name of 201 characters", 400, "at most 200", () => Json(admin, HttpMethod.Post, "/api/keys", $"{{\"name\": \"{Long(201)}\"}}"));
        Add("keys: revoke the data folder's key", 400, "admin key", () => admin.DeleteAsync("/api/keys/local"));
        Add("keys: revoke unknown", 404, "no added key", () => admin.DeleteAsync("/api/keys/k-nope"));
        Add("keys: revoke a bad id", 400, "key id", () => admin.DeleteAsync("/api/keys/a%20b"));

        // routes
        Add("route: unknown API path", 404, "nothing at", () => admin.GetAsync("/api/nothing-here"));
        Add("route: DELETE on the camera list", 405, "not allowed", () => admin.DeleteAsync("/api/cameras"));
        return list;

        Task<HttpResponseMessage> WithKey(string key, string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("X-Api-Key", key);
            return anonymous.SendAsync(request);
        }

        Task<HttpResponseMessage> Bearer(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/cameras");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return anonymous.SendAsync(request);
        }
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string body, string contentType = "application/json") =>
        http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) });

    private static Task<HttpResponseMessage> Json(HttpClient http, HttpMethod method, string path, string body) => Send(http, method, path, body);

    private static Task<HttpResponseMessage> Photo(HttpClient http, byte[] photo, params (string Name, string Value)[] fields) =>
        Form(http, "/api/search", fields, [("photo.jpg", photo)], "photo");

    private static Task<HttpResponseMessage> Form(HttpClient http, string path, (string Name, string Value)[] fields, (string File, byte[] Bytes)[] files,
        string fileField = "files")
    {
        var form = new MultipartFormDataContent();
        foreach (var (n, v) in fields) form.Add(new StringContent(v), n);
        foreach (var (f, b) in files) form.Add(new ByteArrayContent(b), fileField, f);
        return http.PostAsync(path, form);
    }

    /// <summary>A PNG whose header claims <paramref name="width"/>×<paramref name="height"/> (no pixel data follows).</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        var chunk = new byte[4 + 4 + 13 + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, 13);
        "IHDR"u8.CopyTo(chunk.AsSpan(4));
        ihdr.CopyTo(chunk, 8);
        var crc = Crc32(chunk.AsSpan(4, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(21), crc);
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. chunk];
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
