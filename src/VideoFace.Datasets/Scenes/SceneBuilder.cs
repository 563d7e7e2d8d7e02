using System.Runtime.InteropServices;
using OpenCvSharp;
using VideoFace.Media.Output;

namespace VideoFace.Datasets.Scenes;

/// <summary>
/// Builds a test video with its ground truth from a folder of identity sub-folders: face photos composited onto a
/// simple background at the sizes a camera sees, moving smoothly through a script that stresses identity over time —
/// one face cut to another at the same spot, pans across the frame, two faces swapping sides, people coming back
/// later, enrolled people shown with photos not used for their enrolment, and strangers who are never enrolled.
/// Everything follows from the seed.
/// </summary>
public sealed class SceneBuilder(SceneOptions options, FaceLocator locate)
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    // a face the detector boxes smaller than this in its photo would be blown up into mush at scene size
    private const float MinSourceFace = 40;

    /// <summary>Writes <c>scene.mp4</c>, <c>scene.json</c> and <c>enrol/&lt;identity&gt;/*.jpg</c> into <paramref name="outDir"/>.</summary>
    public async Task<SceneTruth> BuildAsync(string identitiesDir, string outDir, CancellationToken ct = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        if (!Directory.Exists(identitiesDir)) throw new DirectoryNotFoundException($"identities folder not found: {identitiesDir}");
        var rng = new Random(options.Seed);
        var cast = Cast(identitiesDir, rng);
        try
        {
            Directory.CreateDirectory(outDir);
            var enrolment = CopyEnrolment(cast, outDir);
            var (actors, shots) = Script(cast, rng);
            var frameCount = actors.Count == 0 ? 0 : actors.Max(a => a.End) + Frames(1.2);
            var frames = await RenderAsync(actors, frameCount, Path.Combine(outDir, "scene.mp4"), ct).ConfigureAwait(false);
            var truth = new SceneTruth
            {
                Seed = options.Seed,
                Fps = options.Fps,
                Width = options.Width,
                Height = options.Height,
                FrameCount = frameCount,
                Enrolment = enrolment,
                Shots = shots,
                Appearances = actors.Select(a => new SceneAppearance(a.Id, a.Person.Identity, a.Person.Enrolled, a.Photo.FileName,
                    a.Start, a.End, a.Shot, a.Return)).ToList(),
                Frames = frames,
            };
            truth.Save(Path.Combine(outDir, "scene.json"));
            return truth;
        }
        finally
        {
            foreach (var p in cast) foreach (var photo in p.Shown.Concat(p.Enrol)) photo.Dispose();
        }
    }

    private int Frames(double seconds) => (int)Math.Round(seconds * options.Fps);

    // ---- casting ----

    /// <summary>A person of the scene: enrolment photos (enrolled people only) and the photos shown, cycled through.</summary>
    private sealed class Person(string identity, bool enrolled, List<Photo> enrol, List<Photo> shown)
    {
        public string Identity { get; } = identity;
        public bool Enrolled { get; } = enrolled;
        public List<Photo> Enrol { get; } = enrol;
        public List<Photo> Shown { get; } = shown;
        public int Appearances { get; set; }

        public Photo NextPhoto() => Shown[Appearances++ % Shown.Count];
    }

    /// <summary>
    /// A photo cut to a square patch around its face (downscaled when large) with a soft oval mask, so the face and a
    /// little of the head land on the background and not the photo's own background (where other people may stand).
    /// </summary>
    private sealed class Photo(string path, Mat patch, Mat mask, Point2f faceCentre, Size2f face) : IDisposable
    {
        public string Path { get; } = path;
        public string FileName => System.IO.Path.GetFileName(Path);
        public Mat Patch { get; } = patch;
        public Mat Mask { get; } = mask;
        public Point2f FaceCentre { get; } = faceCentre;
        public Size2f Face { get; } = face;

        public void Dispose()
        {
            Patch.Dispose();
            Mask.Dispose();
        }
    }

    private List<Person> Cast(string identitiesDir, Random rng)
    {
        var identities = Directory.GetDirectories(identitiesDir).Order(StringComparer.Ordinal).ToArray();
        rng.Shuffle(identities);
        var cast = new List<Person>();
        int enrolled = 0, strangers = 0;
        try
        {
            foreach (var dir in identities)
            {
                if (enrolled == options.People && strangers == options.Strangers) break;
                var files = Directory.GetFiles(dir).Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToArray();
                rng.Shuffle(files);
                // enrolled people need K enrolment photos and at least one other to be shown with
                bool asEnrolled = enrolled < options.People && files.Length >= options.EnrolPhotos + 1;
                if (!asEnrolled && (strangers == options.Strangers || files.Length == 0)) continue;
                var usable = new List<Photo>();
                foreach (var f in files)
                    if (Load(f) is { } photo) usable.Add(photo);
                var name = System.IO.Path.GetFileName(dir);
                if (asEnrolled && usable.Count >= options.EnrolPhotos + 1)
                {
                    cast.Add(new Person(name, true, usable[..options.EnrolPhotos], usable[options.EnrolPhotos..]));
                    enrolled++;
                }
                else if (strangers < options.Strangers && usable.Count > 0)
                {
                    cast.Add(new Person(name, false, [], usable));
                    strangers++;
                }
                else usable.ForEach(p => p.Dispose());
            }
        }
        catch
        {
            foreach (var p in cast) foreach (var photo in p.Shown.Concat(p.Enrol)) photo.Dispose();
            throw;
        }
        if (enrolled < options.People || strangers < options.Strangers)
        {
            foreach (var p in cast) foreach (var photo in p.Shown.Concat(p.Enrol)) photo.Dispose();
            throw new InvalidDataException($"{identitiesDir} has too few usable people: {enrolled} of {options.People} to enrol (each with " +
                $"{options.EnrolPhotos + 1}+ photos where a face is found) and {strangers} of {options.Strangers} strangers");
        }
        return cast;
    }

    private Photo? Load(string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty()) return null;
        if (locate(image) is not { } face || Math.Min(face.Width, face.Height) < MinSourceFace) return null;
        // the patch: a square 2.8 face-widths wide around the face centre (edges replicated past the photo's border),
        // at most ~230 px of face so per-frame scaling stays cheap for multi-megapixel photos
        var centre = new Point2f(face.X + face.Width / 2, face.Y + face.Height / 2);
        float side = 2.8f * Math.Max(face.Width, face.Height);
        float shrink = Math.Min(1f, 230f / face.Width);
        int half = (int)Math.Ceiling(side / 2);
        int x0 = (int)Math.Round(centre.X) - half, y0 = (int)Math.Round(centre.Y) - half;
        using var padded = new Mat();
        int pad = Math.Max(0, Math.Max(Math.Max(-x0, -y0), Math.Max(x0 + 2 * half - image.Cols, y0 + 2 * half - image.Rows)));
        Cv2.CopyMakeBorder(image, padded, pad, pad, pad, pad, BorderTypes.Replicate);
        using var square = new Mat(padded, new Rect(x0 + pad, y0 + pad, 2 * half, 2 * half));
        var patch = new Mat();
        Cv2.Resize(square, patch, new Size(Math.Max(1, (int)Math.Round(2 * half * shrink)), Math.Max(1, (int)Math.Round(2 * half * shrink))),
            0, 0, InterpolationFlags.Area);
        float scale = patch.Cols / (float)(2 * half);
        var faceCentre = new Point2f((centre.X - x0) * scale, (centre.Y - y0) * scale);
        var faceSize = new Size2f(face.Width * scale, face.Height * scale);
        // soft oval: solid over the face and a little hair, fading out before the patch's edge
        var mask = new Mat(patch.Rows, patch.Cols, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Ellipse(mask, new RotatedRect(faceCentre, new Size2f(faceSize.Width * 1.45f, faceSize.Height * 1.7f), 0), Scalar.All(1), -1,
            LineTypes.AntiAlias);
        int k = Math.Max(3, (int)(faceSize.Width * 0.3f) | 1);
        Cv2.GaussianBlur(mask, mask, new Size(k, k), 0);
        return new Photo(path, patch, mask, faceCentre, faceSize);
    }

    private List<SceneEnrolment> CopyEnrolment(List<Person> cast, string outDir)
    {
        var list = new List<SceneEnrolment>();
        foreach (var p in cast.Where(p => p.Enrolled))
        {
            var dir = Path.Combine(outDir, "enrol", p.Identity);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            var photos = new List<string>();
            foreach (var photo in p.Enrol)
            {
                var name = Path.GetFileNameWithoutExtension(photo.Path) + ".jpg";
                var target = Path.Combine(dir, name);
                // the bytes, not the file: a read-only source folder would hand its permissions on
                if (Path.GetExtension(photo.Path).ToLowerInvariant() is ".jpg" or ".jpeg") File.WriteAllBytes(target, File.ReadAllBytes(photo.Path));
                else
                {
                    using var image = Cv2.ImRead(photo.Path, ImreadModes.Color);
                    Cv2.ImWrite(target, image, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
                }
                photos.Add(Path.Combine("enrol", p.Identity, name).Replace('\\', '/'));
            }
            list.Add(new SceneEnrolment(p.Identity, photos, p.Enrol.Select(e => e.FileName).ToList()));
        }
        return list;
    }

    // ---- the script ----

    /// <summary>One person on screen with one photo over frames [Start, End): where the face centre is and how wide, per frame.</summary>
    private sealed record Actor(int Id, Person Person, Photo Photo, int Start, int End, int Shot, bool Return, int Layer,
        Func<int, (float X, float Y, float FaceWidth)> Path);

    /// <summary>
    /// Two rounds over everyone (the second in another order, with their next photo: people coming back), cut into shots
    /// that cycle cut → pan → swap, with a short empty gap after each so tracks of different shots do not touch.
    /// </summary>
    private (List<Actor> Actors, List<SceneShot> Shots) Script(List<Person> cast, Random rng)
    {
        var actors = new List<Actor>();
        var shots = new List<SceneShot>();
        var shown = new HashSet<Person>();
        int frame = Frames(0.6), kind = 0;
        for (int round = 0; round < 2; round++)
        {
            var queue = new Queue<Person>(Shuffled(cast, rng));
            while (queue.Count > 0)
            {
                var shotKind = (kind++ % 3) switch { 0 => "cut", 1 => "pan", _ => "swap" };
                var a = queue.Dequeue();
                Person? b = null;
                if (shotKind != "pan")
                    b = queue.Count > 0 ? queue.Dequeue() : Shuffled(cast.Where(p => p != a).ToList(), rng)[0];
                bool isReturn = shown.Contains(a) || (b is not null && shown.Contains(b));
                var shot = shots.Count;
                int end = shotKind switch
                {
                    "cut" => Cut(actors, a, b!, frame, shot, shown, rng),
                    "pan" => Pan(actors, a, frame, shot, shown, rng),
                    _ => Swap(actors, a, b!, frame, shot, shown, rng),
                };
                shots.Add(new SceneShot(shotKind, frame, end, b is null ? [a.Identity] : [a.Identity, b.Identity], isReturn));
                frame = end + Frames(1.2);
            }
        }
        return (actors, shots);
    }

    private static List<Person> Shuffled(List<Person> people, Random rng)
    {
        var copy = people.ToArray();
        rng.Shuffle(copy);
        return copy.ToList();
    }

    private Actor Add(List<Actor> actors, Person p, int start, int end, int shot, HashSet<Person> shown, int layer,
        Func<int, (float, float, float)> path)
    {
        var actor = new Actor(actors.Count, p, p.NextPhoto(), start, end, shot, shown.Contains(p), layer, path);
        shown.Add(p);
        actors.Add(actor);
        return actor;
    }

    /// <summary>A at one spot for 3 s, then a hard cut to B at the same spot (and size) for 3 s.</summary>
    private int Cut(List<Actor> actors, Person a, Person b, int start, int shot, HashSet<Person> shown, Random rng)
    {
        float w = Uniform(rng, 150, 200);
        float x = Uniform(rng, 0.25f, 0.75f) * options.Width, y = Uniform(rng, 0.38f, 0.62f) * options.Height;
        int half = Frames(3);
        // a slight sway: people in front of a camera are never perfectly still
        (float, float, float) Sway(int f)
        {
            double t = f / options.Fps;
            return (x + 6f * (float)Math.Sin(2 * Math.PI * t / 2.5), y + 4f * (float)Math.Sin(2 * Math.PI * t / 3.1), w);
        }
        Add(actors, a, start, start + half, shot, shown, 0, Sway);
        Add(actors, b, start + half, start + 2 * half, shot, shown, 0, Sway);
        return start + 2 * half;
    }

    /// <summary>A walks across the frame in 5 s, getting a little closer (larger) on the way.</summary>
    private int Pan(List<Actor> actors, Person a, int start, int shot, HashSet<Person> shown, Random rng)
    {
        bool leftToRight = rng.Next(2) == 0;
        float y = Uniform(rng, 0.3f, 0.7f) * options.Height, w0 = Uniform(rng, 90, 110), w1 = Uniform(rng, 130, 150);
        float x0 = 0.12f * options.Width, x1 = 0.88f * options.Width;
        if (!leftToRight) (x0, x1) = (x1, x0);
        int n = Frames(5);
        Add(actors, a, start, start + n, shot, shown, 0, f =>
        {
            float u = Smooth((f - start) / (float)(n - 1));
            float bob = 6f * (float)Math.Sin(2 * Math.PI * (f - start) / options.Fps / 0.9);
            return (Lerp(x0, x1, u), y + bob, Lerp(w0, w1, u));
        });
        return start + n;
    }

    /// <summary>A on the left and B on the right hold for 1 s, cross over 2.5 s (A above, B below), hold for 1 s.</summary>
    private int Swap(List<Actor> actors, Person a, Person b, int start, int shot, HashSet<Person> shown, Random rng)
    {
        float wa = Uniform(rng, 115, 150), wb = Uniform(rng, 115, 150);
        float y = Uniform(rng, 0.45f, 0.55f) * options.Height, lift = 0.16f * options.Height;
        float left = 0.28f * options.Width, right = 0.72f * options.Width;
        int hold = Frames(1), cross = Frames(2.5), n = 2 * hold + cross;
        float U(int f) => Smooth(Math.Clamp((f - start - hold) / (float)cross, 0, 1));
        Add(actors, a, start, start + n, shot, shown, 1, f =>
        {
            float u = U(f);
            return (Lerp(left, right, u), y - lift * (float)Math.Sin(Math.PI * u), wa);
        });
        Add(actors, b, start, start + n, shot, shown, 0, f =>
        {
            float u = U(f);
            return (Lerp(right, left, u), y + lift * (float)Math.Sin(Math.PI * u), wb);
        });
        return start + n;
    }

    private static float Uniform(Random rng, float lo, float hi) => lo + (float)rng.NextDouble() * (hi - lo);
    private static float Lerp(float a, float b, float u) => a + (b - a) * u;
    private static float Smooth(float u) => u * u * (3 - 2 * u);

    // ---- rendering ----

    private async Task<List<SceneFrame>> RenderAsync(List<Actor> actors, int frameCount, string path, CancellationToken ct)
    {
        int w = options.Width, h = options.Height;
        using var background = Background(w, h, new Random(options.Seed ^ 0x5eed));
        using var canvas = new Mat();
        var pixels = new byte[w * h * 3];
        var frames = new List<SceneFrame>(frameCount);
        await using var writer = FfmpegVideoWriter.Open(path, w, h, options.Fps, crf: 20, preset: "veryfast");
        for (int f = 0; f < frameCount; f++)
        {
            ct.ThrowIfCancellationRequested();
            background.CopyTo(canvas);
            var faces = new List<SceneFace>();
            foreach (var a in actors.Where(a => f >= a.Start && f < a.End).OrderBy(a => a.Layer))
            {
                var (x, y, faceWidth) = a.Path(f);
                // keep the whole face box inside the frame (the truth promises it)
                float s = faceWidth / a.Photo.Face.Width;
                float bw = a.Photo.Face.Width * s, bh = a.Photo.Face.Height * s;
                x = Math.Clamp(x, bw / 2 + 1, w - bw / 2 - 1);
                y = Math.Clamp(y, bh / 2 + 1, h - bh / 2 - 1);
                Composite(canvas, a.Photo, x, y, s);
                faces.Add(new SceneFace(a.Id, a.Person.Identity, a.Person.Enrolled,
                    [Round(x - bw / 2), Round(y - bh / 2), Round(bw), Round(bh)]));
            }
            frames.Add(new SceneFrame(f, faces));
            Marshal.Copy(canvas.Data, pixels, 0, pixels.Length);
            await writer.WriteAsync(pixels, ct).ConfigureAwait(false);
        }
        await writer.CompleteAsync(ct).ConfigureAwait(false);
        return frames;
    }

    private static float Round(float v) => MathF.Round(v, 1);

    /// <summary>Blends the photo's patch, scaled by <paramref name="scale"/>, so its face centre lands on (x, y).</summary>
    private static void Composite(Mat canvas, Photo photo, float x, float y, float scale)
    {
        float side = photo.Patch.Cols * scale;
        float left = x - photo.FaceCentre.X * scale, top = y - photo.FaceCentre.Y * scale;
        var roi = new Rect((int)Math.Floor(left), (int)Math.Floor(top), (int)Math.Ceiling(side) + 2, (int)Math.Ceiling(side) + 2)
            .Intersect(new Rect(0, 0, canvas.Cols, canvas.Rows));
        if (roi.Width <= 0 || roi.Height <= 0) return;
        // one affine warp scales and places with sub-pixel precision, so slow motion stays smooth
        using var m = new Mat(2, 3, MatType.CV_64FC1);
        m.Set(0, 0, (double)scale); m.Set(0, 1, 0.0); m.Set(0, 2, (double)(left - roi.X));
        m.Set(1, 0, 0.0); m.Set(1, 1, (double)scale); m.Set(1, 2, (double)(top - roi.Y));
        using var sprite = new Mat();
        using var alpha = new Mat();
        Cv2.WarpAffine(photo.Patch, sprite, m, roi.Size, InterpolationFlags.Linear, BorderTypes.Replicate);
        Cv2.WarpAffine(photo.Mask, alpha, m, roi.Size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1), alpha, inverse);
        using var target = new Mat(canvas, roi);
        using var blended = new Mat();
        Cv2.BlendLinear(sprite, target, alpha, inverse, blended);
        blended.CopyTo(target);
    }

    /// <summary>A plain room: a vertical wall gradient, a floor band and two muted panels (nothing face-like).</summary>
    private static Mat Background(int w, int h, Random rng)
    {
        var bg = new Mat(h, w, MatType.CV_8UC3);
        var top = new Vec3d(95 + rng.Next(40), 100 + rng.Next(40), 105 + rng.Next(40));
        var bottom = new Vec3d(150 + rng.Next(40), 155 + rng.Next(40), 150 + rng.Next(40));
        int floor = (int)(h * 0.82);
        for (int r = 0; r < h; r++)
        {
            double u = r / (double)(h - 1);
            var c = r < floor ? top * (1 - u) + bottom * u : bottom * 0.7;
            Cv2.Line(bg, 0, r, w - 1, r, new Scalar(c.Item0, c.Item1, c.Item2));
        }
        for (int i = 0; i < 2; i++)
        {
            int pw = (int)(w * (0.12 + 0.1 * rng.NextDouble())), ph = (int)(h * (0.3 + 0.2 * rng.NextDouble()));
            int px = rng.Next(w - pw), py = rng.Next(Math.Max(1, floor - ph));
            var colour = new Scalar(80 + rng.Next(100), 80 + rng.Next(100), 80 + rng.Next(100));
            Cv2.Rectangle(bg, new Rect(px, py, pw, ph), colour, -1);
        }
        return bg;
    }
}
