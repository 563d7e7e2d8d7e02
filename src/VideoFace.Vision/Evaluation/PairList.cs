using System.Globalization;

namespace VideoFace.Vision.Evaluation;

/// <summary>One verification pair of image files and the fold it belongs to.</summary>
public sealed record VerificationPair(string PathA, string PathB, bool IsSame, int Fold);

/// <summary>Builds verification pair lists: from an LFW <c>pairs.txt</c> or from a folder of identity sub-folders.</summary>
public static class PairList
{
    /// <summary>File extensions taken as images when listing identity folders.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp" };

    /// <summary>Parses an LFW <c>pairs.txt</c> (header "sets&lt;TAB&gt;n" or a single "n") into pairs under <paramref name="root"/>.</summary>
    /// <remarks>
    /// After a header "S N" come S sets of N matched lines (<c>name i j</c>) then N mismatched lines
    /// (<c>name1 i name2 j</c>); set s is fold s. A single-number header means one set (fold 0). Images
    /// are <c>root/name/name_NNNN.jpg</c>; when that file is absent but the same stem exists with another
    /// image extension, that file is used.
    /// </remarks>
    public static IReadOnlyList<VerificationPair> ParseLfwPairs(string pairsFile, string root)
    {
        ArgumentNullException.ThrowIfNull(pairsFile);
        ArgumentNullException.ThrowIfNull(root);
        var lines = File.ReadAllLines(pairsFile)
            .Select((text, i) => (Text: text.Trim(), Number: i + 1))
            .Where(l => l.Text.Length > 0)
            .ToList();
        if (lines.Count == 0)
        {
            throw new FormatException($"{pairsFile}: empty pairs file.");
        }

        var header = Split(lines[0].Text);
        int sets = 1, perSet = 0;
        var headerOk = header.Length switch
        {
            2 => TryInt(header[0], out sets) && TryInt(header[1], out perSet),
            1 => TryInt(header[0], out perSet),
            _ => false,
        };
        if (!headerOk)
        {
            throw new FormatException($"{pairsFile}:{lines[0].Number}: expected a header \"sets<TAB>pairs\" or \"pairs\", got \"{lines[0].Text}\".");
        }

        var body = lines.Skip(1).ToList();
        if (sets <= 0 || perSet <= 0 || body.Count != sets * 2 * perSet)
        {
            throw new FormatException(
                $"{pairsFile}: header announces {sets} set(s) of {perSet} matched + {perSet} mismatched pairs ({sets * 2 * perSet} lines), but the file has {body.Count} pair lines.");
        }

        var result = new List<VerificationPair>(body.Count);
        for (var k = 0; k < body.Count; k++)
        {
            var (text, number) = body[k];
            var fold = k / (2 * perSet);
            var expectSame = k % (2 * perSet) < perSet;
            var f = Split(text);
            if (f.Length == 3 && TryInt(f[1], out var i) && TryInt(f[2], out var j))
            {
                result.Add(new VerificationPair(ImagePath(root, f[0], i), ImagePath(root, f[0], j), true, fold));
            }
            else if (f.Length == 4 && TryInt(f[1], out var i1) && TryInt(f[3], out var j2))
            {
                result.Add(new VerificationPair(ImagePath(root, f[0], i1), ImagePath(root, f[2], j2), false, fold));
            }
            else
            {
                throw new FormatException($"{pairsFile}:{number}: expected \"name i j\" or \"name1 i name2 j\", got \"{text}\".");
            }

            if (result[^1].IsSame != expectSame)
            {
                throw new FormatException(
                    $"{pairsFile}:{number}: a {(expectSame ? "matched" : "mismatched")} pair was expected here by the View 2 layout.");
            }
        }

        return result;
    }

    /// <summary>All genuine pairs within each identity folder plus as many distinct seeded-random impostor pairs, shuffled, in folds.</summary>
    /// <remarks>
    /// Identities and files are sorted ordinally and the only randomness is <see cref="Random"/> seeded with
    /// <paramref name="seed"/>, so the list is the same on every run. The shuffle mixes identities across the
    /// contiguous folds. Fewer impostors are drawn only when fewer distinct cross-identity pairs exist.
    /// </remarks>
    public static IReadOnlyList<VerificationPair> FromIdentityFolders(string root, int seed = 0, int folds = VerificationMetrics.DefaultFolds)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Identity folder root not found: {root}");
        }

        var identities = Directory.GetDirectories(root)
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray())
            .Where(files => files.Length > 0)
            .ToArray();

        var pairs = new List<(string A, string B, bool Same)>();
        foreach (var files in identities)
        {
            for (var i = 0; i < files.Length; i++)
            {
                for (var j = i + 1; j < files.Length; j++)
                {
                    pairs.Add((files[i], files[j], true));
                }
            }
        }

        var random = new Random(seed);
        var genuineCount = pairs.Count;
        pairs.AddRange(DrawImpostors(identities, genuineCount, random));

        // Fisher–Yates with the same seeded generator.
        for (var i = pairs.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
        }

        var foldOf = VerificationMetrics.ContiguousFolds(pairs.Count, Math.Max(1, folds));
        return pairs.Select((p, i) => new VerificationPair(p.A, p.B, p.Same, foldOf[i])).ToList();
    }

    private static List<(string A, string B, bool Same)> DrawImpostors(string[][] identities, int wanted, Random random)
    {
        long total = identities.Sum(f => (long)f.Length);
        long possible = (total * total - identities.Sum(f => (long)f.Length * f.Length)) / 2;
        var target = (int)Math.Min(wanted, possible);
        var result = new List<(string, string, bool)>(target);
        if (target == 0)
        {
            return result;
        }

        if (target * 2L > possible)
        {
            // Dense case: rejection sampling would crawl, so enumerate every cross pair and take a random subset.
            var all = new List<(string, string, bool)>();
            for (var a = 0; a < identities.Length; a++)
            {
                for (var b = a + 1; b < identities.Length; b++)
                {
                    foreach (var fa in identities[a])
                    {
                        foreach (var fb in identities[b])
                        {
                            all.Add((fa, fb, false));
                        }
                    }
                }
            }

            for (var i = 0; i < target; i++)
            {
                var j = i + random.Next(all.Count - i);
                (all[i], all[j]) = (all[j], all[i]);
                result.Add(all[i]);
            }

            return result;
        }

        var seen = new HashSet<(int, int, int, int)>();
        while (result.Count < target)
        {
            var a = random.Next(identities.Length);
            var b = random.Next(identities.Length - 1);
            if (b >= a)
            {
                b++; // uniform over identities other than a
            }

            var ia = random.Next(identities[a].Length);
            var ib = random.Next(identities[b].Length);
            // (A,B) and (B,A) are the same pair: key it with the smaller identity first.
            var key = a < b ? (a, ia, b, ib) : (b, ib, a, ia);
            if (seen.Add(key))
            {
                result.Add((identities[a][ia], identities[b][ib], false));
            }
        }

        return result;
    }

    private static readonly string[] FallbackExtensions = [".jpeg", ".png", ".bmp", ".webp", ".JPG", ".JPEG", ".PNG"];

    private static string ImagePath(string root, string name, int index)
    {
        var folder = Path.Combine(root, name);
        var stem = $"{name}_{index.ToString("D4", CultureInfo.InvariantCulture)}";
        var jpg = Path.Combine(folder, stem + ".jpg");
        if (File.Exists(jpg) || !Directory.Exists(folder))
        {
            return jpg;
        }

        var other = FallbackExtensions
            .Select(ext => Path.Combine(folder, stem + ext))
            .FirstOrDefault(File.Exists);
        return other ?? jpg;
    }

    private static string[] Split(string line) =>
        line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static bool TryInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
