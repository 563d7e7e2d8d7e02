using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace VideoFace.Index;

/// <summary>
/// The few calls of USearch's C API that the managed <see cref="USearchIndex"/> (2.26) does not expose: reserving
/// capacity ahead (its Add reserves exactly size+n, so one-by-one adds would re-allocate the graph on every insert),
/// setting the search/insert expansion of a loaded index (a loaded file gets the library defaults), and the filtered
/// search that checks a predicate on each candidate during the graph walk.
/// Same native library the package ships; the handle is the wrapper's private field, so a version bump that
/// renames it fails loudly at open.
/// </summary>
internal static partial class UsearchNative
{
    private const string Library = "libusearch_c";

    private static readonly FieldInfo HandleField =
        typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("Cloud.Unum.USearch changed: USearchIndex._index not found.");

    public static void Reserve(USearchIndex index, ulong capacity)
    {
        usearch_reserve(Handle(index), (nuint)capacity, out var error);
        Check(error, "reserve");
    }

    public static void SetExpansion(USearchIndex index, int add, int search)
    {
        var handle = Handle(index);
        usearch_change_expansion_add(handle, (nuint)add, out var error);
        Check(error, "change_expansion_add");
        usearch_change_expansion_search(handle, (nuint)search, out error);
        Check(error, "change_expansion_search");
    }

    /// <summary>
    /// The <paramref name="count"/> nearest keys that <paramref name="allowed"/> lets through: USearch walks the graph
    /// and asks the predicate (an in-memory lookup, no SQL) about each candidate, so it keeps exploring until enough
    /// allowed ones are found (no over-fetch).
    /// </summary>
    public static unsafe ulong[] FilteredSearch(USearchIndex index, float[] query, int count, SightingFilterMap.Compiled allowed)
    {
        var keys = new ulong[count];
        var distances = new float[count];
        var state = GCHandle.Alloc(allowed);
        try
        {
            nuint found;
            IntPtr error;
            fixed (float* q = query)
            fixed (ulong* k = keys)
            fixed (float* d = distances)
                found = usearch_filtered_search(Handle(index), q, (int)ScalarKind.Float32, (nuint)count, &Allow, GCHandle.ToIntPtr(state), k, d, out error);
            Check(error, "filtered_search");
            return found == (nuint)count ? keys : keys[..(int)found];
        }
        finally
        {
            state.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static int Allow(ulong key, IntPtr state) =>
        ((SightingFilterMap.Compiled)GCHandle.FromIntPtr(state).Target!).Allows((long)key) ? 1 : 0;

    private static IntPtr Handle(USearchIndex index) => (IntPtr)HandleField.GetValue(index)!;

    private static void Check(IntPtr error, string call)
    {
        if (error != IntPtr.Zero) throw new USearchException($"usearch_{call}: {Marshal.PtrToStringAnsi(error)}");
    }

    [LibraryImport(Library)]
    private static unsafe partial nuint usearch_filtered_search(IntPtr index, float* query, int queryKind, nuint count,
        delegate* unmanaged<ulong, IntPtr, int> filter, IntPtr filterState, ulong* keys, float* distances, out IntPtr error);

    public static long MemoryUsage(USearchIndex index)
    {
        var bytes = usearch_memory_usage(Handle(index), out var error);
        Check(error, "memory_usage");
        return (long)bytes;
    }

    [LibraryImport(Library)]
    private static partial nuint usearch_memory_usage(IntPtr index, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_change_expansion_add(IntPtr index, nuint expansion, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);
}
