namespace VideoFace.Datasets.Packing;

/// <summary>Reads what packing needs from JPEG bytes without decoding them: the signature and the frame size.</summary>
public static class JpegInfo
{
    /// <summary>True when the bytes start with the JPEG SOI marker followed by another marker.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> data) =>
        data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>Height and width from the first SOFn segment, or null when none is found.</summary>
    public static (int Height, int Width)? TryGetSize(ReadOnlySpan<byte> data)
    {
        if (!IsJpeg(data))
        {
            return null;
        }

        var i = 2;
        while (i + 4 <= data.Length)
        {
            if (data[i] != 0xFF)
            {
                return null;
            }

            var marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2; // markers without a length
                continue;
            }

            var length = (data[i + 2] << 8) | data[i + 3];
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 9 > data.Length)
                {
                    return null;
                }

                var height = (data[i + 5] << 8) | data[i + 6];
                var width = (data[i + 7] << 8) | data[i + 8];
                return (height, width);
            }

            if (marker == 0xDA || length < 2)
            {
                return null; // start of scan before any SOF: not a usable JPEG
            }

            i += 2 + length;
        }

        return null;
    }
}
