"""OCR throughput benchmark (issue 3, "Performance"): sohoa ingest --wait against raw Tesseract.

Run from the repository root:

    .venv/bin/python benchmarks/ocr_throughput.py                       # full run (several minutes)
    .venv/bin/python benchmarks/ocr_throughput.py --memory-pages 40     # quicker memory check
    .venv/bin/python benchmarks/ocr_throughput.py --skip-memory --rounds 1

What it does, in one run:

1. builds N synthetic scanned pages (A4, grayscale, `--dpi`, a Vietnamese administrative letter with
   diacritics in DejaVu Serif, a slight skew and mild noise), each saved as a one-page PDF made by
   Pillow (the sohoa input: JPEG inside, as a scanner delivers it) and as that JPEG extracted byte
   for byte (the raw Tesseract input: exactly what sohoa reads);
2. raw Tesseract: `tesseract page.jpg out -l vie --dpi DPI pdf`, OMP_THREAD_LIMIT=1, one process per core;
3. sohoa: a fresh SOHOA_DATA_DIR under the work dir, `sohoa migrate`, one unit via `registry-import`,
   then `sohoa ingest <the N PDFs> --unit BENCH --wait --json` (wall time of the whole command,
   Django start-up, storing originals, OCR, PDF/A assembly and all DB writes included);
   every JSON line must say "done";
4. steps 2 and 3 alternate `--rounds` times; the medians give pages/s and the ratio sohoa/raw
   (target >= 0.85 on a 2-core machine);
5. memory: one `--memory-pages`-page PDF (pages written one by one and merged with qpdf, never all
   in memory) is ingested with --wait while the RSS of the whole process tree is sampled every 0.2 s
   (target: peak < 600 MB for 300 pages at 300 dpi).

Nothing here imports sohoa: it drives the `sohoa` command like an operator would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import cast

import numpy as np
import pikepdf
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
RATIO_TARGET = 0.85
MEMORY_TARGET_MB = 600
UNIT = "BENCH"

# ---- synthetic pages -------------------------------------------------------------------------------

HEADER_LEFT = ("TỈNH ỦY CÀ MAU", "ỦY BAN KIỂM TRA TỈNH ỦY CÀ MAU", "*", "Số 64-CV/UBKTTU")
HEADER_RIGHT = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
SUBJECTS = (
    "V/v báo cáo kết quả kiểm tra, giám sát năm 2024",
    "V/v triển khai số hóa tài liệu lưu trữ",
    "V/v thực hiện chế độ báo cáo định kỳ",
    "V/v chuẩn bị hồ sơ nộp lưu vào Lưu trữ lịch sử",
)
RECIPIENTS = (
    "Kính gửi: Ban Thường vụ Tỉnh ủy Cà Mau",
    "Kính gửi: Các huyện ủy, thành ủy trực thuộc Tỉnh ủy",
    "Kính gửi: Văn phòng Tỉnh ủy Cà Mau",
)
# Phrases of an administrative letter; body lines are drawn from these at random.
VOCABULARY = (
    "thực hiện",
    "Quy định số 22-QĐ/TW",
    "của Ban Chấp hành Trung ương",
    "về công tác kiểm tra",
    "giám sát và kỷ luật của Đảng",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "đề nghị các đồng chí",
    "quan tâm chỉ đạo",
    "tổ chức triển khai",
    "kịp thời",
    "đầy đủ",
    "nghiêm túc",
    "báo cáo kết quả",
    "trước ngày",
    "theo hướng dẫn",
    "cấp ủy",
    "tổ chức đảng",
    "đảng viên",
    "vi phạm",
    "xem xét",
    "xử lý",
    "hồ sơ",
    "tài liệu",
    "lưu trữ",
    "số hóa",
    "phông lưu trữ",
    "cơ quan",
    "đơn vị",
    "trách nhiệm",
    "người đứng đầu",
    "chỉ thị",
    "nghị quyết",
    "kế hoạch",
    "chương trình công tác",
    "năm 2025",
    "giai đoạn 2021–2025",
    "Thông tư số 05/2025/TT-BNV",
    "của Bộ Nội vụ",
    "quy định kỹ thuật",
    "bảo đảm",
    "chất lượng",
    "tiến độ",
    "hiệu quả",
    "đúng quy định",
    "phối hợp chặt chẽ",
    "các ban xây dựng Đảng",
    "Văn phòng Tỉnh ủy",
    "huyện ủy",
    "thành ủy",
    "đảng ủy trực thuộc",
    "tổng hợp",
    "đánh giá",
    "rút kinh nghiệm",
    "khắc phục",
    "hạn chế",
    "thiếu sót",
    "đồng thời",
    "trong quá trình",
    "nếu có vướng mắc",
    "phản ánh về",
    "để được hướng dẫn",
    "giải quyết",
    "công khai",
    "minh bạch",
    "dân chủ",
    "kỷ cương",
    "tài chính đảng",
    "kê khai tài sản",
    "thu nhập",
    "phòng, chống tham nhũng",
    "lãng phí",
    "tiêu cực",
    "đơn thư khiếu nại",
    "tố cáo",
    "thẩm quyền",
    "thời hạn",
    "ba mươi ngày",
    "kể từ ngày",
    "nhận được văn bản này",
    "cụ thể như sau",
)
CLOSING = ("Nơi nhận:", "- Như trên,", "- Lưu VP UBKT.", "T/M ỦY BAN KIỂM TRA", "PHÓ CHỦ NHIỆM")


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _body_lines(rng: random.Random, font: ImageFont.FreeTypeFont, width: int, count: int) -> list[str]:
    lines: list[str] = []
    current = "- " if rng.random() < 0.5 else "    "
    while len(lines) < count:
        phrase = rng.choice(VOCABULARY)
        if rng.random() < 0.12:
            phrase += rng.choice((",", ";", "."))
        candidate = (current + " " + phrase) if current.strip() else current + phrase
        if font.getlength(candidate) > width:
            lines.append(current)
            current = phrase
            if current[-1] == "." and rng.random() < 0.4:  # a new paragraph now and then
                lines.append(current)
                current = "- " if rng.random() < 0.5 else "    "
        else:
            current = candidate
    return lines[:count]


def make_page(seed: int, dpi: int) -> Image.Image:
    """One A4 'scanned' letter page: grayscale, slight skew, mild noise, paper not quite white."""
    rng = random.Random(seed)
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    pt = dpi / 72
    img = Image.new("L", (w, h), 250)
    draw = ImageDraw.Draw(img)
    bold, regular, italic = (
        _font("DejaVuSerif-Bold.ttf", round(12 * pt)),
        _font("DejaVuSerif.ttf", round(12 * pt)),
        _font("DejaVuSerif-Italic.ttf", round(12 * pt)),
    )
    left, right, top = round(30 / 25.4 * dpi), w - round(18 / 25.4 * dpi), round(20 / 25.4 * dpi)
    y = top
    for i, line in enumerate(HEADER_LEFT):
        font = bold if i in (1,) else regular
        x = left + (round(85 / 25.4 * dpi) - font.getlength(line)) / 2
        draw.text((max(left, x), y), line, font=font, fill=20)
        y += round(18 * pt)
    draw.text((right - bold.getlength(HEADER_RIGHT[0]), top), HEADER_RIGHT[0], font=bold, fill=20)
    date = f"Cà Mau, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm 2025"
    draw.text((right - italic.getlength(date), top + round(36 * pt)), date, font=italic, fill=20)
    subject = rng.choice(SUBJECTS)
    draw.text((left, y), subject, font=italic, fill=20)
    y += round(26 * pt)
    recipient = rng.choice(RECIPIENTS)
    draw.text(((w - bold.getlength(recipient)) / 2, y), recipient, font=bold, fill=20)
    y += round(26 * pt)
    n_lines = rng.randint(25, 35)
    bottom_reserved = round(95 * pt)
    step = min(round(17 * pt), (h - bottom_reserved - y) // n_lines)
    for line in _body_lines(rng, regular, right - left, n_lines):
        draw.text((left, y), line, font=regular, fill=rng.randint(10, 40))
        y += step
    y += round(10 * pt)
    for i, line in enumerate(CLOSING):
        x = left if i < 3 else right - bold.getlength(line) - round(20 * pt)
        yy = y + (i if i < 3 else i - 3) * round(15 * pt)
        draw.text((x, yy), line, font=bold if i >= 3 else regular, fill=20)
    img = img.rotate(rng.uniform(-0.8, 0.8), resample=Image.Resampling.BILINEAR, fillcolor=250)
    noise = np.random.default_rng(seed).standard_normal((h, w), dtype=np.float32) * 5.0
    arr = np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, mode="L")


def _write_page(job: tuple[int, int, str, bool]) -> tuple[str, str]:
    seed, dpi, base, with_jpeg = job
    img = make_page(seed, dpi)
    jpeg, pdf = f"{base}.jpg", f"{base}.pdf"
    img.save(pdf, "PDF", resolution=dpi, quality=85)
    if with_jpeg:
        # Raw Tesseract reads the very bytes sohoa reads: the JPEG inside the PDF, extracted as is.
        with pikepdf.open(pdf) as doc:
            (image,) = doc.pages[0].get_images().values()
            Path(jpeg).write_bytes(image.read_raw_bytes())
    return jpeg, pdf


def build_pages(
    folder: Path, count: int, dpi: int, *, with_jpeg: bool = True, seed0: int = 1000
) -> list[tuple[Path, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(seed0 + i, dpi, str(folder / f"page-{i + 1:04d}"), with_jpeg) for i in range(count)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        return [(Path(a), Path(b)) for a, b in pool.map(_write_page, jobs)]


# ---- measuring on a shared machine ---------------------------------------------------------------


def _machine_busy() -> float:
    """CPU seconds spent busy by the whole machine (all cores) since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every finished descendant we (transitively) waited for
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(max_wait: float, log: object) -> None:
    """Wait (up to max_wait s) until other processes use under 10% of the machine, so they skew less."""
    deadline = time.monotonic() + max_wait
    cores = os.cpu_count() or 1
    while True:
        before = _machine_busy()
        time.sleep(1.0)
        share = (_machine_busy() - before) / cores
        if share < 0.10 or time.monotonic() > deadline:
            if share >= 0.10 and callable(log):
                log(f"machine still {share:.0%} busy with other work; measuring anyway")
            return
        time.sleep(2.0)


class Meter:
    """Wall time of a section, and the share of the machine's CPU that other processes used meanwhile."""

    def __enter__(self) -> Meter:
        self.busy, self.own, self.start = _machine_busy(), _children_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
        self.cpu = _children_cpu() - self.own  # CPU seconds of our own processes (less sensitive to noise)
        busy = _machine_busy() - self.busy
        self.foreign = max(0.0, busy - self.cpu) / (self.seconds * (os.cpu_count() or 1))


# ---- the two contenders ----------------------------------------------------------------------------


def run_raw(images: list[Path], outdir: Path, jobs: int, dpi: int) -> Meter:
    """Raw Tesseract, PDF renderer, one single-threaded process per core."""
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(image: Path) -> None:
        cmd = ["tesseract", str(image), str(outdir / image.stem), "-l", "vie", "--dpi", str(dpi), "pdf"]
        subprocess.run(cmd, env=env, check=True, capture_output=True)

    # Threads only wait: each runs one tesseract process at a time, so `jobs` processes run at once.
    with Meter() as meter, ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
    return meter


def sohoa_bin() -> str:
    local = ROOT / ".venv" / "bin" / "sohoa"
    return str(local) if local.exists() else (shutil.which("sohoa") or "sohoa")


def fresh_instance(folder: Path) -> dict[str, str]:
    """A new, empty sohoa (SQLite in the data dir) with one unit; returns the env to run it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SOHOA_DATA_DIR=str(folder / "data"), SOHOA_KEY_FILE=str(folder / "sohoa.key"))
    sohoa = sohoa_bin()
    subprocess.run([sohoa, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    csv = folder / "units.csv"
    csv.write_text(f"code,name\n{UNIT},Ủy ban Kiểm tra Tỉnh ủy Cà Mau (benchmark)\n", encoding="utf-8")
    subprocess.run([sohoa, "registry-import", str(csv)], env=env, check=True, capture_output=True)
    return env


def _check_results(stdout: str, expected_files: int, expected_pages: int) -> None:
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip().startswith("{")]
    bad = [r for r in lines if r.get("status") != "done"]
    pages = sum(r.get("pages") or 0 for r in lines)
    if len(lines) != expected_files or bad or pages != expected_pages:
        raise SystemExit(
            f"sohoa ingest: expected {expected_files} files / {expected_pages} pages done, "
            f"got {len(lines)} lines, {pages} pages, not done: {bad[:3]}"
        )


def run_sohoa(pdfs: list[Path], folder: Path, quiet: float, log: object) -> Meter:
    """`sohoa ingest --wait --json` on a fresh instance, timed as a whole command."""
    env = fresh_instance(folder)
    cmd = [sohoa_bin(), "ingest", *map(str, pdfs), "--unit", UNIT, "--wait", "--json"]
    wait_for_quiet(quiet, log)
    with Meter() as meter:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"sohoa ingest failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    _check_results(proc.stdout, len(pdfs), len(pdfs))
    return meter


# ---- memory ----------------------------------------------------------------------------------------


def build_big_pdf(folder: Path, count: int, dpi: int) -> Path:
    """A `count`-page PDF written page by page (one-page PDFs merged by qpdf), never all in memory."""
    parts = folder / "parts"
    shutil.rmtree(parts, ignore_errors=True)
    out = folder / f"document-{count}p-{dpi}dpi.pdf"
    if out.exists():
        return out
    pages = build_pages(parts, count, dpi, with_jpeg=False, seed0=50_000)
    listing = folder / "pages.txt"  # qpdf reads long argument lists from @file
    listing.write_text("\n".join(["--empty", "--pages", *(str(pdf) for _jpeg, pdf in pages), "--", str(out)]) + "\n")
    subprocess.run(["qpdf", f"@{listing}"], check=True, capture_output=True)
    shutil.rmtree(parts, ignore_errors=True)
    listing.unlink()
    return out


def _tree_memory(proc: object) -> tuple[int, int, list[str]]:
    """(summed RSS, summed PSS, one 'name MB' per process) of a process and all its descendants.

    Summed RSS counts the pages that forked workers share with their parent once per process (an
    upper bound, and the number the target is checked against); PSS splits shared pages fairly."""
    import psutil  # type: ignore[import-untyped]

    assert isinstance(proc, psutil.Process)
    rss = pss = 0
    parts: list[str] = []
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, []
    for member in members:
        try:
            info = member.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            parts.append(f"{member.name()} {info.rss / 2**20:.0f}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return rss, pss, parts


def run_memory(pdf: Path, pages: int, folder: Path) -> dict[str, object]:
    """Ingest one big PDF with --wait, sampling the process tree's memory every 0.2 s."""
    import psutil  # type: ignore[import-untyped]

    env = fresh_instance(folder)
    cmd = [sohoa_bin(), "ingest", str(pdf), "--unit", UNIT, "--wait", "--json"]
    peak = peak_pss = 0
    peak_parts: list[str] = []
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        popen = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        root = psutil.Process(popen.pid)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss, peak_parts
            while not stop.is_set():
                rss, pss, parts = _tree_memory(root)
                if rss > peak:
                    peak, peak_parts = rss, parts
                peak_pss = max(peak_pss, pss)
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = popen.wait()
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise SystemExit(f"sohoa ingest (memory) failed ({code}):\n{err.read()[-2000:]}")
        _check_results(out.read(), 1, pages)
    archival = max((folder / "data").rglob("archival/**/*.pdf"), key=lambda p: p.stat().st_size, default=None)
    return {
        "peak_rss_mb": peak / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
        "peak_processes": peak_parts,
        "seconds": elapsed,
        "archival_mb": archival.stat().st_size / 2**20 if archival else 0.0,
    }


# ---- report ----------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        ram = f"{mem_kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "tesseract": tess.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=24, help="synthetic pages for the throughput test")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary folder)")
    parser.add_argument("--rounds", type=int, default=2, help="raw/sohoa alternations; medians are reported")
    parser.add_argument("--memory-pages", type=int, default=300, help="pages of the memory-check PDF")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="raw Tesseract processes")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument(
        "--quiet-wait", type=float, default=60, help="wait up to this many s for other processes to calm down"
    )
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    workdir = workdir.resolve()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    results: dict[str, object] = {"pages": args.pages, "dpi": args.dpi, "machine": machine()}
    try:
        log(f"work dir: {workdir}")
        t = time.perf_counter()
        pages = build_pages(workdir / "pages", args.pages, args.dpi)
        jpegs, pdfs = [p for p, _ in pages], [p for _, p in pages]
        log(f"built {len(pages)} pages at {args.dpi} dpi in {time.perf_counter() - t:.1f} s")

        raw_times, sohoa_times, foreign, raw_cpu, sohoa_cpu = [], [], [], [], []
        for r in range(1, args.rounds + 1):
            wait_for_quiet(args.quiet_wait, log)
            meter = run_raw(jpegs, workdir / "raw-out", args.jobs, args.dpi)
            raw_times.append(meter.seconds)
            raw_cpu.append(meter.cpu)
            foreign.append(meter.foreign)
            log(
                f"round {r}: raw tesseract {meter.seconds:.1f} s ({args.pages / meter.seconds:.3f} pages/s)"
                f"; other processes used {meter.foreign:.0%} of the CPU"
            )
            meter = run_sohoa(pdfs, workdir / "sohoa", args.quiet_wait, log)
            sohoa_times.append(meter.seconds)
            sohoa_cpu.append(meter.cpu)
            foreign.append(meter.foreign)
            log(
                f"round {r}: sohoa ingest  {meter.seconds:.1f} s ({args.pages / meter.seconds:.3f} pages/s)"
                f"; other processes used {meter.foreign:.0%} of the CPU"
            )
        raw_s, sohoa_s = statistics.median(raw_times), statistics.median(sohoa_times)
        ratio = raw_s / sohoa_s  # = (pages/sohoa_s) / (pages/raw_s)
        results.update(
            raw_seconds=[round(x, 2) for x in raw_times],
            sohoa_seconds=[round(x, 2) for x in sohoa_times],
            raw_pages_per_s=round(args.pages / raw_s, 3),
            sohoa_pages_per_s=round(args.pages / sohoa_s, 3),
            ratio=round(ratio, 3),
            foreign_cpu_share=[round(x, 3) for x in foreign],
            raw_cpu_s_per_page=round(statistics.median(raw_cpu) / args.pages, 3),
            sohoa_cpu_s_per_page=round(statistics.median(sohoa_cpu) / args.pages, 3),
            cpu_ratio=round(statistics.median(raw_cpu) / statistics.median(sohoa_cpu), 3),
        )

        if not args.skip_memory:
            t = time.perf_counter()
            big = build_big_pdf(workdir / "memory", args.memory_pages, args.dpi)
            size_mb = big.stat().st_size / 2**20
            log(f"built {args.memory_pages}-page PDF ({size_mb:.0f} MB) in {time.perf_counter() - t:.0f} s")
            wait_for_quiet(args.quiet_wait, log)
            mem = run_memory(big, args.memory_pages, workdir / "sohoa-memory")
            mem_s = float(mem["seconds"])  # type: ignore[arg-type]
            log(
                f"memory: peak RSS {mem['peak_rss_mb']:.0f} MB (PSS {mem['peak_pss_mb']:.0f} MB), {mem_s:.0f} s; "
                f"at the peak: {', '.join(cast(list[str], mem['peak_processes']))}"
            )  # type: ignore[arg-type]
            results.update(
                memory_pages=args.memory_pages,
                memory_pdf_mb=round(big.stat().st_size / 2**20, 1),
                memory_peak_mb=round(float(mem["peak_rss_mb"]), 1),  # type: ignore[arg-type]
                memory_peak_pss_mb=round(float(mem["peak_pss_mb"]), 1),  # type: ignore[arg-type]
                memory_peak_processes=mem["peak_processes"],
                memory_seconds=round(mem_s, 1),
                memory_pages_per_s=round(args.memory_pages / mem_s, 3),
                memory_archival_mb=round(float(mem["archival_mb"]), 1),  # type: ignore[arg-type]
            )
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    m = results["machine"]
    assert isinstance(m, dict)
    print("=" * 72)
    print("OCR throughput (issue 3)")
    print(f"date      {m['date']}")
    print(f"machine   {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}")
    print(f"software  {m['tesseract']}, Python {m['python']}")
    print(f"pages     {args.pages} synthetic A4 pages, {args.dpi} dpi grayscale, lang vie; {args.rounds} round(s)")
    print(f"raw       {results['raw_seconds']} s -> {results['raw_pages_per_s']} pages/s (median)")
    print(f"sohoa     {results['sohoa_seconds']} s -> {results['sohoa_pages_per_s']} pages/s (median)")
    verdict = "OK" if ratio >= RATIO_TARGET else "BELOW TARGET"
    print(f"ratio     sohoa/raw = {results['ratio']}  (target >= {RATIO_TARGET}: {verdict})")
    print(
        f"cpu       raw {results['raw_cpu_s_per_page']} CPU-s/page, sohoa {results['sohoa_cpu_s_per_page']} CPU-s/page"
        f" -> CPU ratio {results['cpu_ratio']} (robust to other load; misses idle cores)"
    )
    shares = results["foreign_cpu_share"]
    assert isinstance(shares, list)
    print(
        f"noise     other processes used {', '.join(f'{x:.0%}' for x in shares)} of the CPU during the timed runs"
        + ("  (results are unreliable above ~5%)" if max(shares) > 0.05 else "")
    )
    if "memory_peak_mb" in results:
        peak = float(results["memory_peak_mb"])  # type: ignore[arg-type]
        verdict = "OK" if peak < MEMORY_TARGET_MB else "ABOVE TARGET"
        print(
            f"memory    {args.memory_pages}-page PDF ({results['memory_pdf_mb']} MB): peak RSS {peak:.0f} MB "
            f"(target < {MEMORY_TARGET_MB} MB for 300 pages: {verdict}); PSS {results['memory_peak_pss_mb']:.0f} MB"
        )
        print(
            f"          {results['memory_seconds']} s, {results['memory_pages_per_s']} pages/s; "
            f"archival copy {results['memory_archival_mb']} MB"
        )
    print("=" * 72)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
