using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tless.Runtime.Tee;

/// <summary>The legacy SEV guest device's report request (Linux <c>/dev/sev-guest</c>, ioctl SNP_GET_REPORT).</summary>
internal interface ISevGuestDevice
{
    string Path { get; }

    bool Exists { get; }

    /// <summary>
    /// Sends the 96-byte <c>snp_report_req</c> (user data, VMPL) and returns the 4000-byte <c>snp_report_resp</c>
    /// buffer (the firmware's MSG_REPORT_RSP: status, report size, reserved, report).
    /// </summary>
    byte[] GetReport(ReadOnlySpan<byte> request);
}

/// <summary>
/// Layout of the SNP_GET_REPORT request and response (linux include/uapi/linux/sev-guest.h; AMD SEV-SNP firmware ABI
/// MSG_REPORT_REQ / MSG_REPORT_RSP).
/// </summary>
internal static class SevGuestReport
{
    public const int RequestSize = 96;
    public const int ResponseSize = 4000;
    private const int ResponseHeaderSize = 32;

    /// <summary>snp_report_req: user_data[64], vmpl (u32), reserved[28].</summary>
    public static byte[] BuildRequest(ReadOnlySpan<byte> reportData, int vmpl)
    {
        var request = new byte[RequestSize];
        reportData.CopyTo(request);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(64), (uint)vmpl);
        return request;
    }

    /// <summary>Extracts the report from MSG_REPORT_RSP: status (u32), report_size (u32), reserved[24], report.</summary>
    public static byte[] ParseResponse(ReadOnlySpan<byte> response, string device)
    {
        if (response.Length < ResponseHeaderSize)
        {
            throw new TeeException($"{device}: report response is {response.Length} bytes, shorter than its {ResponseHeaderSize}-byte header");
        }

        var status = BinaryPrimitives.ReadUInt32LittleEndian(response);
        if (status != 0)
        {
            throw new TeeException($"{device}: the SEV firmware refused the report request (status 0x{status:x}; 0x16 means invalid parameters such as a VMPL below the guest's)");
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(response[4..]);
        if (size > response.Length - ResponseHeaderSize)
        {
            throw new TeeException($"{device}: report response claims a {size}-byte report but holds only {response.Length - ResponseHeaderSize} bytes");
        }

        return response.Slice(ResponseHeaderSize, (int)size).ToArray();
    }
}

/// <summary>The real <c>/dev/sev-guest</c>, through ioctl(2).</summary>
internal sealed class SevGuestDevice : ISevGuestDevice
{
    public const string DefaultPath = "/dev/sev-guest";

    // _IOWR('S', 0x0, struct snp_guest_request_ioctl), the struct being 32 bytes.
    private const uint SnpGetReport = (3u << 30) | (32u << 16) | ((uint)'S' << 8) | 0x0;

    public SevGuestDevice(string path) => Path = path;

    public string Path { get; }

    public bool Exists => File.Exists(Path);

    public byte[] GetReport(ReadOnlySpan<byte> request)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new TeeException($"{Path}: the SEV guest device exists only on Linux");
        }

        var requestBuffer = request.ToArray();
        var response = new byte[SevGuestReport.ResponseSize];
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TeeException($"cannot open {Path}: {e.Message}", e);
        }

        using (handle)
        {
            var pinnedRequest = GCHandle.Alloc(requestBuffer, GCHandleType.Pinned);
            var pinnedResponse = GCHandle.Alloc(response, GCHandleType.Pinned);
            try
            {
                var ioctlRequest = new SnpGuestRequestIoctl
                {
                    MessageVersion = 1,
                    RequestData = (ulong)pinnedRequest.AddrOfPinnedObject(),
                    ResponseData = (ulong)pinnedResponse.AddrOfPinnedObject(),
                };
                var result = Ioctl((int)handle.DangerousGetHandle(), SnpGetReport, ref ioctlRequest);
                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    var firmware = (uint)ioctlRequest.ExitInfo2;
                    var vmm = (uint)(ioctlRequest.ExitInfo2 >> 32);
                    throw new TeeException(
                        $"{Path}: SNP_GET_REPORT failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}, firmware error 0x{firmware:x}, VMM error 0x{vmm:x})");
                }
            }
            finally
            {
                pinnedRequest.Free();
                pinnedResponse.Free();
            }
        }

        return response;
    }

    // DllImport, not LibraryImport: the struct is blittable, and the project does not allow unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request, ref SnpGuestRequestIoctl argument);
#pragma warning restore SYSLIB1054

    /// <summary>struct snp_guest_request_ioctl: msg_version (u8, padded), req_data, resp_data, exitinfo2 (u64 each).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SnpGuestRequestIoctl
    {
        public byte MessageVersion;
        public ulong RequestData;
        public ulong ResponseData;
        public ulong ExitInfo2;
    }
}
