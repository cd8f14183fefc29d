/* test_probe.c: placeholder. */
int main(void) { return 77; }
