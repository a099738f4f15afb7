/* The floor for render: a bare libyaml event scan of a file, nothing kept.
 * Bench-only; usage: yaml_scan FILE */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(int argc, char **argv)
{
    yaml_parser_t p;
    yaml_event_t ev;
    FILE *f;
    long events = 0;
    int done = 0;
    if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
        fprintf(stderr, "usage: yaml_scan FILE\n");
        return 2;
    }
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            fprintf(stderr, "yaml_scan: parse error: %s\n", p.problem);
            return 1;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        events++;
    }
    yaml_parser_delete(&p);
    fclose(f);
    printf("%ld events\n", events);
    return 0;
}
