// hnswlib_driver: the C++ side of compare_hnswlib.sh. It builds Debian's
// header-only hnswlib (libhnswlib-dev) compiled here with -O3
// -march=native, so hnswlib uses the widest SIMD the machine has (the
// Python wheel Debian ships is built for baseline SSE only), on the
// vectors vecbench wrote, and times k-NN searches at each ef the way
// vecbench and compare_hnswlib.py do: the best of REPS windows of at least
// MIN_TIME seconds, SEARCH_THREADS threads.
//
//   hnswlib_driver DIR SPACE M EFC K THREADS MIN_TIME REPS EF[,EF...] [INDEX]
//
// With INDEX, the index is loaded from that file when it exists (build_s
// is then 0), else built and saved there, so timing rounds after the first
// skip the build.
// SPACE is euclidean, cosine or ip. Cosine normalises the base and query
// vectors once, before timing, and searches the inner-product space (what
// hnswlib's Python binding does; doing it outside the timed loop only
// favours hnswlib). Writes DIR/hnswlib_cpp.json and, per ef,
// DIR/hnswlib_cpp_ef<ef>.npy (int64 labels, row numbers of base.npy).
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <chrono>
#include <sys/resource.h>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Matrix {
    size_t rows = 0, cols = 0;
    std::vector<float> data;
    const float *row(size_t i) const { return data.data() + i * cols; }
};

// readNpy reads a 2-D little-endian float32 C-order .npy file (what
// vecbench writes).
Matrix readNpy(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    char magic[8];
    f.read(magic, 8);
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not a .npy file");
    uint32_t hlen = 0;
    if (magic[6] == 1) {
        uint16_t h;
        f.read(reinterpret_cast<char *>(&h), 2);
        hlen = h;
    } else {
        f.read(reinterpret_cast<char *>(&hlen), 4);
    }
    std::string header(hlen, ' ');
    f.read(&header[0], hlen);
    if (header.find("'<f4'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path + ": want float32 C-order, header " + header);
    size_t open = header.find("'shape': (");
    if (open == std::string::npos) throw std::runtime_error(path + ": no shape in " + header);
    Matrix m;
    if (std::sscanf(header.c_str() + open, "'shape': (%zu, %zu)", &m.rows, &m.cols) != 2)
        throw std::runtime_error(path + ": want a 2-D array, header " + header);
    m.data.resize(m.rows * m.cols);
    f.read(reinterpret_cast<char *>(m.data.data()), static_cast<std::streamsize>(m.data.size() * sizeof(float)));
    if (!f) throw std::runtime_error(path + ": short file");
    return m;
}

void writeLabels(const std::string &path, const std::vector<int64_t> &labels, size_t rows, size_t cols) {
    std::ostringstream h;
    h << "{'descr': '<i8', 'fortran_order': False, 'shape': (" << rows << ", " << cols << "), }";
    std::string header = h.str();
    size_t total = 10 + header.size() + 1;
    header += std::string((64 - total % 64) % 64, ' ') + "\n";
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    uint16_t hl = static_cast<uint16_t>(header.size());
    f.write(reinterpret_cast<const char *>(&hl), 2);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    f.write(reinterpret_cast<const char *>(labels.data()), static_cast<std::streamsize>(labels.size() * 8));
    if (!f) throw std::runtime_error("cannot write " + path);
}

void normalise(Matrix &m) {
    for (size_t i = 0; i < m.rows; i++) {
        float *r = m.data.data() + i * m.cols;
        double s = 0;
        for (size_t j = 0; j < m.cols; j++) s += double(r[j]) * r[j];
        if (s > 0) {
            float inv = float(1 / std::sqrt(s));
            for (size_t j = 0; j < m.cols; j++) r[j] *= inv;
        }
    }
}

// processCPU returns the CPU seconds (user + system) the process has used:
// queries per CPU second hold up on a busy machine where queries per wall
// second swing with the other processes' load.
double processCPU() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// searchAll answers every query once on `threads` threads; labels gets
// k row numbers per query when not null.
void searchAll(hnswlib::HierarchicalNSW<float> &index, const Matrix &q, size_t k, int threads, int64_t *labels) {
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < q.rows; i = next++) {
            auto res = index.searchKnn(q.row(i), k);
            if (labels) {
                for (size_t j = res.size(); j-- > 0;) {  // max-heap: farthest first
                    labels[i * k + j] = static_cast<int64_t>(res.top().second);
                    res.pop();
                }
            }
        }
    };
    if (threads <= 1) {
        work();
        return;
    }
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++) ts.emplace_back(work);
    for (auto &t : ts) t.join();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 10 && argc != 11) {
        std::fprintf(stderr, "usage: %s DIR SPACE M EFC K THREADS MIN_TIME REPS EF[,EF...] [INDEX]\n", argv[0]);
        return 2;
    }
    try {
        std::string dir = argv[1], space = argv[2];
        size_t M = std::stoul(argv[3]), efc = std::stoul(argv[4]), k = std::stoul(argv[5]);
        int threads = std::stoi(argv[6]), reps = std::stoi(argv[8]);
        double minTime = std::stod(argv[7]);
        std::vector<size_t> efs;
        std::stringstream ss(argv[9]);
        for (std::string e; std::getline(ss, e, ',');) efs.push_back(std::stoul(e));

        Matrix base = readNpy(dir + "/base.npy"), queries = readNpy(dir + "/queries.npy");
        if (base.cols != queries.cols) throw std::runtime_error("base and queries differ in dimensions");
        std::unique_ptr<hnswlib::SpaceInterface<float>> sp;
        if (space == "euclidean") {
            sp.reset(new hnswlib::L2Space(base.cols));
        } else if (space == "cosine" || space == "ip") {
            if (space == "cosine") {
                normalise(base);
                normalise(queries);
            }
            sp.reset(new hnswlib::InnerProductSpace(base.cols));
        } else {
            throw std::runtime_error("space must be euclidean, cosine or ip, not " + space);
        }
        std::string indexPath = argc == 11 ? argv[10] : "";
        std::unique_ptr<hnswlib::HierarchicalNSW<float>> ix;
        double build = 0, buildCPU = 0;
        if (!indexPath.empty() && std::ifstream(indexPath).good()) {
            ix.reset(new hnswlib::HierarchicalNSW<float>(sp.get(), indexPath, false, base.rows));
            if (ix->cur_element_count != base.rows || ix->M_ != M || ix->ef_construction_ != efc)
                throw std::runtime_error(indexPath + " holds another index: delete it to rebuild");
        } else {
            ix.reset(new hnswlib::HierarchicalNSW<float>(sp.get(), base.rows, M, efc, 100));
            auto t0 = std::chrono::steady_clock::now();
            double cpu0 = processCPU();
            for (size_t i = 0; i < base.rows; i++) ix->addPoint(base.row(i), i);  // one thread, like ours
            build = seconds(t0, std::chrono::steady_clock::now());
            buildCPU = processCPU() - cpu0;
            if (!indexPath.empty()) ix->saveIndex(indexPath);
        }
        hnswlib::HierarchicalNSW<float> &index = *ix;

        std::ostringstream js;
        js << "{\n  \"engine\": \"hnswlib " << "C++ -O3 -march=native\",\n"
#if defined(USE_AVX512)
           << "  \"simd\": \"avx512\",\n"
#elif defined(USE_AVX)
           << "  \"simd\": \"avx\",\n"
#elif defined(USE_SSE)
           << "  \"simd\": \"sse\",\n"
#else
           << "  \"simd\": \"none\",\n"
#endif
           << "  \"build_s\": " << build << ",\n  \"build_cpu_s\": " << buildCPU << ",\n  \"threads\": " << threads << ",\n  \"runs\": [";
        for (size_t e = 0; e < efs.size(); e++) {
            index.setEf(efs[e]);
            std::vector<int64_t> labels(queries.rows * k, -1);
            searchAll(index, queries, k, threads, labels.data());
            std::string name = "hnswlib_cpp_ef" + std::to_string(efs[e]) + ".npy";
            writeLabels(dir + "/" + name, labels, queries.rows, k);
            double best = 0, bestCPU = 0;
            for (int r = 0; r < reps; r++) {
                size_t done = 0;
                auto s = std::chrono::steady_clock::now();
                double cpu0 = processCPU();
                double el = 0;
                do {
                    searchAll(index, queries, k, threads, nullptr);
                    done += queries.rows;
                    el = seconds(s, std::chrono::steady_clock::now());
                } while (el < minTime);
                double cpu = processCPU() - cpu0;
                best = std::max(best, done / el);
                if (cpu > 0) bestCPU = std::max(bestCPU, done / cpu);
            }
            js << (e ? "," : "") << "\n    {\"ef\": " << efs[e] << ", \"qps\": " << best << ", \"cpu_qps\": " << bestCPU
               << ", \"neighbours\": \"" << name << "\"}";
        }
        js << "\n  ]\n}\n";
        std::ofstream(dir + "/hnswlib_cpp.json") << js.str();
        std::printf("hnswlib C++: %s\n", build > 0 ? ("built in " + std::to_string(build) + " s").c_str() : "index loaded");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "hnswlib_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
