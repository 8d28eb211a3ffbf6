package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine is what the figures were measured on.
type machine struct {
	OS, Arch  string
	CPU       string
	Cores     int
	MemTotal  string
	Kernel    string
	GoVersion string
	Commit    string
	LoadStart string // /proc/loadavg: other work on a shared machine skews every figure
	LoadEnd   string
}

func readMachine() machine {
	return machine{
		OS: runtime.GOOS, Arch: runtime.GOARCH, Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		CPU:       procField("/proc/cpuinfo", "model name"),
		MemTotal:  procField("/proc/meminfo", "MemTotal"),
		Kernel:    strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		Commit:    gitCommit(),
		LoadStart: loadAverage(),
	}
}

// procField is the value of the first "name: value" line of a /proc file; "unknown" when absent.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "unknown"
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return string(b)
}

// loadAverage is the 1, 5 and 15 minute load averages.
func loadAverage() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func gitCommit() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// clockTick is the unit of /proc/stat: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

// machineBusy is the CPU time every process on the machine has used since boot (/proc/stat);
// 0 when unreadable.
func machineBusy() time.Duration {
	f := strings.Fields(strings.SplitN(readFile("/proc/stat"), "\n", 2)[0])
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// otherLoad measures how busy the rest of the machine keeps its cores while the harness
// measures: the figures of a shared machine move with it.
type otherLoad struct {
	start      time.Time
	busy, self time.Duration
}

func startOtherLoad() otherLoad {
	return otherLoad{start: time.Now(), busy: machineBusy(), self: selfCPU()}
}

// cores is the average number of cores other processes kept busy since start; children is the
// CPU of this harness's own child processes meanwhile.
func (o otherLoad) cores(children time.Duration) float64 {
	wall := time.Since(o.start)
	other := machineBusy() - o.busy - (selfCPU() - o.self) - children
	if wall <= 0 || other < 0 {
		return 0
	}
	return float64(other) / float64(wall)
}
