/*
 * The least any wrapper can do for independent-data-copy: copy the program into a memfd with sendfile, add the
 * four seals runc and crun look for, and execute it. warm-path.sh runs containers through it to separate what
 * exeseal adds from what the copy and running from shared memory cost by themselves.
 * Usage: raw-memfd-exec PROGRAM [ARGS...]   (argv[0] of the program is PROGRAM)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif

int main(int argc, char **argv, char **envp)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    int source = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (source < 0 || fstat(source, &status) != 0) {
        perror(argv[1]);
        return 1;
    }
    int copy = memfd_create("raw", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (copy < 0)
        copy = memfd_create("raw", MFD_CLOEXEC | MFD_ALLOW_SEALING); /* before Linux 6.3 */
    off_t offset = 0;
    while (copy >= 0 && offset < status.st_size)
        if (sendfile(copy, source, &offset, status.st_size - offset) <= 0)
            break;
    if (copy < 0 || offset != status.st_size
        || fcntl(copy, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
        perror("memfd copy");
        return 1;
    }
    execveat(copy, "", argv + 1, envp, AT_EMPTY_PATH);
    perror("execveat");
    return 1;
}
